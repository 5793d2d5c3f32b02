import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Color, EnvironmentName, ServiceName, ServiceSizing } from "../../../config/types";
import { SHUTDOWN_PHASE_SECONDS } from "../../environment/appSettings";
import {
  APP_SECRET,
  colorWorkloadName,
  parameterPath,
  serviceParameterPath,
  workloadName,
} from "../../names";
import { SERVICE_SECRETS } from "../../environment/workloads/serviceSecrets";
import { amsLabels } from "../../labels";
import { withDataStoreAccess } from "./dataStoreAccess";

/** Port the AMS services listen on (HTTP and actuator). */
export const HTTP_PORT = 8080;
export const READINESS_PATH = "/actuator/health/readiness";
export const LIVENESS_PATH = "/actuator/health/liveness";

/** The Kubernetes Secrets External Secrets syncs for every AMS pod (see components/environment/stateful.ts). */
export const WORKLOAD_SECRETS = SERVICE_SECRETS;

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
    name: workloadName(spec.service),
    instance: spec.color ? colorWorkloadName(spec.service, spec.color) : workloadName(spec.service),
    component: spec.service,
    version: spec.version,
    color: spec.color,
    environment: spec.environment,
  });
}

export function selectorLabels(service: ServiceName, color?: Color): Record<string, string> {
  return { "app.kubernetes.io/name": workloadName(service), ...(color ? { "ams.io/color": color } : {}) };
}

/**
 * The pods of the rolling or canary workload, and no blue-green color's: their `instance` is `ams-<service>`,
 * a color's is `ams-<service>-<color>`. Services and disruption budgets select by it (both may change their
 * selector), so while a strategy switch keeps the old strategy's pods running, the new strategy's Services
 * never send traffic to a color that may run another version. A Deployment's or Rollout's own selector
 * stays `selectorLabels` (a Deployment's selector is immutable).
 */
export function strategySelector(service: ServiceName): Record<string, string> {
  return { ...selectorLabels(service), "app.kubernetes.io/instance": workloadName(service) };
}

/**
 * The replica count of a workload an HPA scales belongs to the HPA. The program declares none: with
 * server-side apply, a manager that re-declares a field another manager (the HPA's controller) has changed
 * gets a conflict, or with force takes it back and resets the scale (pulumi/pulumi-kubernetes issues 2491,
 * 2569, 3312). A Deployment created without one starts at 1 and the HPA raises it to its floor.
 *
 * `ignoreChanges` covers the hand-over from a program version that declared the count: when a field leaves
 * the applied configuration and no other manager owns it, the API server resets it to its default
 * (https://kubernetes.io/docs/reference/using-api/server-side-apply/#transferring-ownership) — a Deployment to
 * one pod. With `spec.replicas` ignored, the provider re-applies the live count while it still owns it, and
 * leaves the field out once the HPA has written it (`handleSSAIgnoreFields`, provider/pkg/await/await.go).
 */
export const HPA_OWNS_REPLICAS: pulumi.CustomResourceOptions = { ignoreChanges: ["spec.replicas"] };

/**
 * The capacity gate: `pulumi up` treats a Deployment as ready only once its rollout is complete and at
 * least `floor` pods are available. The provider's own Deployment await only compares the Deployment's
 * status with its spec — which, without a declared replica count, may still say the one pod it was created
 * with, or the old floor, while its HPA has not yet scaled it. `pulumi.com/waitFor` replaces that await
 * with these conditions, all of which must hold (`ReadyCondition`, provider/pkg/metadata/overrides.go):
 * - `Progressing` is `NewReplicaSetAvailable`: the current template is rolled out
 *   (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#complete-deployment);
 * - `Available` is `True`: with `maxUnavailable: 0`, every replica the HPA asked for is available;
 * - `status.availableReplicas > floor - 1`: the floor itself (an RFC 9535 filter over the object's top-level
 *   values, which only `status` matches; the provider parses expressions with github.com/theory/jsonpath,
 *   provider/pkg/jsonpath/jsonpath.go, and a single '=' would be read as "equals", hence `>`).
 * Only metadata carries it: a changed floor updates the Deployment's annotations, never its pod template.
 * The price: with the built-in await replaced, a rollout that cannot succeed waits out CAPACITY_TIMEOUTS
 * instead of failing on `ProgressDeadlineExceeded` (a waitFor expression states readiness, never failure);
 * docs/runbook-bluegreen.md, "Known limits", says what an operator sees and does.
 */
export function deploymentCapacityGate(floor: number): Record<string, string> {
  return {
    [WAIT_FOR]: JSON.stringify([
      'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}=NewReplicaSetAvailable',
      'jsonpath={.status.conditions[?(@.type=="Available")].status}=True',
      availableAtLeast(floor),
    ]),
  };
}

/**
 * The same floor for an Argo Rollout, whose status has `availableReplicas` too. Argo Rollouts, not Pulumi,
 * drives the canary steps, so the gate asks for capacity only, never for the end of a rollout (that would
 * make every `pulumi up` last as long as the whole canary). Capacity needs no generation check: available
 * pods serve whichever version they run. (The provider's jsonpath condition waits for a current
 * `status.observedGeneration` only when it reads as an integer, provider/pkg/await/condition/jsonpath.go,
 * and a Rollout writes it as a string, so a gate that needed the current generation could not rely on it.)
 */
export function rolloutCapacityGate(floor: number): Record<string, string> {
  return { [WAIT_FOR]: JSON.stringify([availableAtLeast(floor)]) };
}

/** The provider's await override annotation (pulumi/pulumi-kubernetes provider/pkg/metadata/annotations.go). */
export const WAIT_FOR = "pulumi.com/waitFor";

function availableAtLeast(floor: number): string {
  return `jsonpath={$[?(@.availableReplicas > ${Math.max(floor, 1) - 1})]}`;
}

/**
 * Options that keep an object exactly as the last update applied it: for each ignored property the engine
 * re-uses the old inputs (`processIgnoreChanges` in pulumi/pulumi pkg/resource/deploy/step_generator.go), so
 * the provider sees no change and neither updates nor awaits it. What a retiring strategy still declares
 * carries it: the object only has to stay, not to change.
 */
export const FROZEN: pulumi.CustomResourceOptions = { ignoreChanges: ["metadata", "spec"] };

/** Long enough for an HPA to add pods (and the node group a node) before the capacity gate gives up. */
export const CAPACITY_TIMEOUTS: pulumi.CustomTimeouts = { create: "15m", update: "15m" };

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
    spec: withDataStoreAccess("service", {
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
            SPRING_APPLICATION_NAME: workloadName(spec.service),
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
    }),
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
 * an Argo Rollout for canary). `aliases` carry the other strategies' URNs of the same objects (see
 * sharedObjects.ts).
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
    aliases?: { autoscaler: pulumi.Input<string>[]; disruptionBudget: pulumi.Input<string>[] };
  },
  opts: pulumi.CustomResourceOptions,
): {
  autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler;
  disruptionBudget: k8s.policy.v1.PodDisruptionBudget;
} {
  const metadata = { name: args.targetName, namespace: args.namespace, labels: args.labels };
  const spec = autoscalerSpec(args.targetName, args.sizing);
  const autoscaler = new k8s.autoscaling.v2.HorizontalPodAutoscaler(
    name,
    { metadata, spec: { ...spec, scaleTargetRef: { ...args.target, name: args.targetName } } },
    { ...opts, aliases: args.aliases?.autoscaler },
  );
  const disruptionBudget = new k8s.policy.v1.PodDisruptionBudget(
    name,
    { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: args.selector } } },
    { ...opts, aliases: args.aliases?.disruptionBudget },
  );
  return { autoscaler, disruptionBudget };
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
