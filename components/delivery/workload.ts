import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Color, EnvironmentName, ServiceName, ServiceSizing } from "../../amsConfig/types";
import { SHUTDOWN_PHASE_SECONDS, parameterPath } from "../environment/appSettings";
import { serviceParameterPath } from "../environment/workloads/identity";
import { amsLabels } from "../labels";

/** Port the AMS services listen on (HTTP and actuator). */
export const HTTP_PORT = 8080;
export const READINESS_PATH = "/actuator/health/readiness";
export const LIVENESS_PATH = "/actuator/health/liveness";

/** The Kubernetes Secrets External Secrets syncs for every AMS pod (see components/environment/stateful.ts). */
export const WORKLOAD_SECRETS = ["ams-postgres", "ams-documentdb", "ams-redis"];
/** The app's own secret (the Unleash client token, FEATURE_FLAG_SDK_KEY): services only, not gate Jobs. */
export const APP_SECRET = "ams-app";

/** Everything a pod template needs; shared by every release strategy, so no strategy has its own copy. */
export interface WorkloadSpec {
  readonly service: ServiceName;
  readonly environment: EnvironmentName;
  /** Image repository URL without tag. */
  readonly repositoryUrl: pulumi.Input<string>;
  readonly version: string;
  /** Blue-green only. */
  readonly color?: Color;
  readonly sizing: ServiceSizing;
  readonly serviceAccountName: string;
  readonly configMapName: string;
  /** Seconds the ALB keeps sending in-flight requests to a deregistering pod. */
  readonly deregistrationDelaySeconds: number;
  /** Extra environment variables (e.g. the worker's consume switch). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Labels of a workload's pods; `selectorLabels` is the subset a selector may use (stable over versions). */
export function workloadLabels(
  spec: Pick<WorkloadSpec, "service" | "environment" | "color"> & { version?: string },
): Record<string, string> {
  return amsLabels({
    name: `ams-${spec.service}`,
    instance: spec.color ? `ams-${spec.service}-${spec.color}` : `ams-${spec.service}`,
    component: spec.service,
    version: spec.version,
    color: spec.color,
    environment: spec.environment,
  });
}

export function selectorLabels(service: ServiceName, color?: Color): Record<string, string> {
  return { "app.kubernetes.io/name": `ams-${service}`, ...(color ? { "ams.io/color": color } : {}) };
}

/**
 * Drain timing. When a pod is told to stop, the load balancer controller deregisters it and the ALB keeps
 * its in-flight requests for the deregistration delay; the preStop sleep keeps the container serving that
 * long (plus a margin), then Spring shuts down gracefully. The grace period covers both. This is also the
 * drain wait between moving traffic away from a color and its pods going away.
 */
export function drainTiming(deregistrationDelaySeconds: number): {
  preStopSeconds: number;
  terminationGracePeriodSeconds: number;
} {
  const preStopSeconds = deregistrationDelaySeconds + 5;
  return { preStopSeconds, terminationGracePeriodSeconds: preStopSeconds + SHUTDOWN_PHASE_SECONDS + 10 };
}

/**
 * The AMS pod: non-root and read-only, probes on the actuator endpoints, resources from sizing, spread
 * across zones, config from the shared ConfigMap and Parameter Store, secrets from External Secrets, AWS
 * access through its IRSA service account, and a drain on shutdown.
 */
export function podTemplate(spec: WorkloadSpec): k8s.types.input.core.v1.PodTemplateSpec {
  const labels = workloadLabels(spec);
  const timing = drainTiming(spec.deregistrationDelaySeconds);
  const httpGet = (path: string) => ({ path, port: HTTP_PORT });
  return {
    metadata: { labels },
    spec: {
      serviceAccountName: spec.serviceAccountName,
      terminationGracePeriodSeconds: timing.terminationGracePeriodSeconds,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 10001,
        fsGroup: 10001,
        seccompProfile: { type: "RuntimeDefault" },
      },
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: selectorLabels(spec.service, spec.color) },
        },
        {
          maxSkew: 1,
          topologyKey: "kubernetes.io/hostname",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: selectorLabels(spec.service, spec.color) },
        },
      ],
      containers: [
        {
          name: spec.service,
          image: pulumi.interpolate`${spec.repositoryUrl}:${spec.version}`,
          ports: [{ name: "http", containerPort: HTTP_PORT }],
          envFrom: [
            { configMapRef: { name: spec.configMapName } },
            ...WORKLOAD_SECRETS.map((name) => ({ secretRef: { name } })),
            { secretRef: { name: APP_SECRET } },
          ],
          env: Object.entries({
            SPRING_APPLICATION_NAME: `ams-${spec.service}`,
            SPRING_CONFIG_IMPORT:
              `aws-parameterstore:${parameterPath(spec.environment)},` +
              `optional:aws-parameterstore:${serviceParameterPath(spec.environment, spec.service)}`,
            AMS_VERSION: spec.version,
            ...(spec.color ? { AMS_COLOR: spec.color } : {}),
            ...spec.env,
          }).map(([name, value]) => ({ name, value })),
          resources: {
            requests: { cpu: spec.sizing.cpuRequest, memory: spec.sizing.memoryRequest },
            limits: { cpu: spec.sizing.cpuLimit, memory: spec.sizing.memoryLimit },
          },
          startupProbe: { httpGet: httpGet(LIVENESS_PATH), periodSeconds: 5, failureThreshold: 36 },
          readinessProbe: { httpGet: httpGet(READINESS_PATH), periodSeconds: 5, failureThreshold: 3 },
          livenessProbe: { httpGet: httpGet(LIVENESS_PATH), periodSeconds: 10, failureThreshold: 3 },
          // The kubelet's own sleep (Kubernetes 1.30+): works in images without a `sleep` binary.
          lifecycle: { preStop: { sleep: { seconds: timing.preStopSeconds } } },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
          },
          volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
        },
      ],
      volumes: [{ name: "tmp", emptyDir: {} }],
    },
  };
}

/** CPU-driven autoscaling between the sizing's bounds. */
export function autoscalerSpec(
  deploymentName: string,
  sizing: ServiceSizing,
): k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec {
  return {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deploymentName },
    minReplicas: sizing.minReplicas,
    maxReplicas: sizing.maxReplicas,
    metrics: [
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
      },
    ],
    // Scale down slowly: a flip back should find the old color still warm.
    behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
  };
}

/**
 * The autoscaler and disruption budget every AMS workload has, whatever runs its pods (a Deployment, or
 * an Argo Rollout for canary).
 */
export function scalingObjects(
  name: string,
  args: {
    targetName: string;
    target: { apiVersion: string; kind: string };
    namespace: pulumi.Input<string>;
    labels: Record<string, string>;
    selector: Record<string, string>;
    sizing: ServiceSizing;
  },
  opts: pulumi.CustomResourceOptions,
): void {
  const metadata = { name: args.targetName, namespace: args.namespace, labels: args.labels };
  const spec = autoscalerSpec(args.targetName, args.sizing);
  new k8s.autoscaling.v2.HorizontalPodAutoscaler(
    name,
    { metadata, spec: { ...spec, scaleTargetRef: { ...args.target, name: args.targetName } } },
    opts,
  );
  new k8s.policy.v1.PodDisruptionBudget(
    name,
    { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: args.selector } } },
    opts,
  );
}

/** A ClusterIP Service on the pods' `http` port: per color, stable, preview, root, canary alike. */
export function httpService(
  name: string,
  args: {
    serviceName: string;
    service: ServiceName;
    environment: EnvironmentName;
    namespace: pulumi.Input<string>;
    selector: Record<string, string>;
    annotations?: Record<string, string>;
  },
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Service {
  return new k8s.core.v1.Service(
    name,
    {
      metadata: {
        name: args.serviceName,
        namespace: args.namespace,
        labels: workloadLabels({ service: args.service, environment: args.environment }),
        ...(args.annotations ? { annotations: args.annotations } : {}),
      },
      spec: {
        type: "ClusterIP",
        selector: args.selector,
        ports: [{ name: "http", port: HTTP_PORT, targetPort: "http" }],
      },
    },
    opts,
  );
}
