import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  Color,
  COLORS,
  DeliveryConfig,
  EnvironmentName,
  IdleColorPolicy,
  ServiceName,
  ServiceSizing,
} from "../../amsConfig/types";
import { ReleaseState } from "../release/release";
import { smokeJob } from "./gates";
import { colorServiceName, previewAction, previewConditions, weightedForwardAction } from "./traffic";
import {
  scalingObjects,
  httpService,
  podTemplate,
  selectorLabels,
  WorkloadSpec,
  workloadLabels,
} from "./workload";

/** Environment variable the AMS worker reads to start (true) or stop (false) its queue listeners. */
export const CONSUMERS_ENABLED_ENV = "AMS_QUEUE_CONSUMERS_ENABLED";

export interface PublicRoute {
  /** Host of the public API on the environment's ALB. */
  readonly host: string;
  /** Ingress group of the environment's ALB (the public entry owns the load-balancer settings). */
  readonly ingressGroup: string;
  /** Target-group annotations (deregistration delay, health check) every backend on that ALB carries. */
  readonly targetGroupAnnotations: Readonly<Record<string, string>>;
  readonly previewRoute: DeliveryConfig["previewRoute"];
  /** Paths the smoke test GETs before traffic moves to a color. */
  readonly smokePaths: readonly string[];
}

export interface BlueGreenServiceArgs {
  /** Which AMS service (`api`: HTTP behind the ALB; `worker`: queue consumer). */
  readonly service: ServiceName;
  readonly environment: EnvironmentName;
  readonly namespace: pulumi.Input<string>;
  /** The declared release: active/idle color, their versions, the traffic weights. */
  readonly release: ReleaseState;
  /** What the idle color keeps running: `full` (instant rollback) or `scaledDown` (one warm pod). */
  readonly idleColorPolicy: IdleColorPolicy;
  /** ECR repository of the service's image, without tag. */
  readonly repositoryUrl: pulumi.Input<string>;
  /** Per-color sizing (each color gets the full HPA range when it runs). */
  readonly sizing: ServiceSizing;
  readonly serviceAccountName: string;
  readonly configMapName: string;
  /** Seconds the ALB drains a deregistering target; pods' preStop outlasts it. */
  readonly deregistrationDelaySeconds: number;
  /** The migration Job of each color's version (a color's Deployment waits for its own). */
  readonly migrations: Readonly<Partial<Record<Color, pulumi.Resource>>>;
  /** Public HTTP route (api); without it the service is a queue consumer (worker). */
  readonly publicRoute?: PublicRoute;
}

/**
 * Pods a `scaledDown` idle color keeps: one warm pod answers the preview route and the smoke test, and a
 * flip to it only raises replica counts — nothing is created, so rollback stays a routing change.
 */
export const WARM_IDLE_REPLICAS = 1;

/**
 * Replicas a color runs: its autoscaler floor (the HPA minimum, or the warm pod of a `scaledDown` idle
 * color), except an idle color without a version, which runs none.
 */
export function colorReplicas(
  color: Color,
  release: Pick<ReleaseState, "activeColor" | "idleVersion">,
  policy: IdleColorPolicy,
  minReplicas: number,
): number {
  if (color !== release.activeColor && release.idleVersion === undefined) return 0;
  return autoscalerFloor(color, release, policy, minReplicas);
}

/**
 * The autoscaler's floor for a color. A `scaledDown` idle color's HPA must allow its single warm pod (an HPA
 * raises a Deployment to its minimum); a color with no pods keeps the normal floor, since an HPA does not
 * act on a Deployment scaled to zero.
 */
export function autoscalerFloor(
  color: Color,
  release: Pick<ReleaseState, "activeColor">,
  policy: IdleColorPolicy,
  minReplicas: number,
): number {
  return color !== release.activeColor && policy === "scaledDown"
    ? Math.min(WARM_IDLE_REPLICAS, minReplicas)
    : minReplicas;
}

/**
 * One AMS service released blue-green. Both colors always exist, each with its own Deployment, Service
 * (fixed color selector), HPA and PDB. Traffic is chosen only by routing objects: the stable Service's
 * selector (in-cluster callers), the preview Service's selector (the idle color), and — for the api — the
 * ALB's weighted forward action over the two colors' target groups plus a preview rule to the idle color.
 *
 * Order within one `pulumi up` (Pulumi awaits Deployments and Jobs): a color's Deployment waits for its
 * migration; routing waits for the active color's Deployment, migration and smoke test; the idle color's
 * Deployment (and so any scale-down of the color that just lost traffic) waits for routing, and its pods
 * drain for at least the ALB's deregistration delay (preStop) before they stop. A worker color consumes
 * only while active; the idle color's listeners stop only after the active color's have started.
 */
export class BlueGreenService extends pulumi.ComponentResource {
  /** Deployment of each color. */
  readonly deployments: Record<Color, k8s.apps.v1.Deployment>;
  /** Objects that choose where traffic goes (empty for a worker). */
  readonly routing: pulumi.Resource[];

  constructor(name: string, args: BlueGreenServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ams:delivery:BlueGreenService", name, {}, opts);
    const { release } = args;
    const active = release.activeColor;
    const idle = release.idleColor;
    const versionOf = (color: Color) =>
      color === active ? release.activeVersion : (release.idleVersion ?? release.activeVersion);

    const deployment = (color: Color, dependsOn: pulumi.Resource[]) => {
      const spec: WorkloadSpec = {
        service: args.service,
        environment: args.environment,
        repositoryUrl: args.repositoryUrl,
        version: versionOf(color),
        color,
        sizing: args.sizing,
        serviceAccountName: args.serviceAccountName,
        configMapName: args.configMapName,
        deregistrationDelaySeconds: args.deregistrationDelaySeconds,
        env: args.publicRoute ? {} : { [CONSUMERS_ENABLED_ENV]: String(color === active) },
      };
      const deploymentName = `ams-${args.service}-${color}`;
      const labels = workloadLabels(spec);
      // Objects that outlive a version (autoscaler, disruption budget) carry no version label.
      const colorLabels = workloadLabels({ service: args.service, environment: args.environment, color });
      const migration = args.migrations[color];
      const created = new k8s.apps.v1.Deployment(
        `${name}-${color}`,
        {
          metadata: { name: deploymentName, namespace: args.namespace, labels },
          spec: {
            replicas: colorReplicas(color, release, args.idleColorPolicy, args.sizing.minReplicas),
            selector: { matchLabels: selectorLabels(args.service, color) },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
            minReadySeconds: 10,
            revisionHistoryLimit: 5,
            template: podTemplate(spec),
          },
        },
        { parent: this, dependsOn: [...(migration ? [migration] : []), ...dependsOn] },
      );
      scalingObjects(
        `${name}-${color}`,
        {
          targetName: deploymentName,
          target: { apiVersion: "apps/v1", kind: "Deployment" },
          namespace: args.namespace,
          labels: colorLabels,
          selector: selectorLabels(args.service, color),
          sizing: {
            ...args.sizing,
            minReplicas: autoscalerFloor(color, release, args.idleColorPolicy, args.sizing.minReplicas),
          },
        },
        { parent: this },
      );
      return created;
    };

    if (!args.publicRoute) {
      const activeDeployment = deployment(active, []);
      // Stop the idle color's listeners only once the active color's are consuming.
      const idleDeployment = deployment(idle, [activeDeployment]);
      this.deployments = { [active]: activeDeployment, [idle]: idleDeployment } as Record<
        Color,
        k8s.apps.v1.Deployment
      >;
      this.routing = [];
      this.registerOutputs({});
      return;
    }

    const route = args.publicRoute;
    const colorService = (color: Color) =>
      this.service(
        `${name}-${color}`,
        colorServiceName(args.service, color),
        selectorLabels(args.service, color),
        args,
        {
          ...route.targetGroupAnnotations,
        },
      );
    const services = Object.fromEntries(COLORS.map((color) => [color, colorService(color)])) as Record<
      Color,
      k8s.core.v1.Service
    >;
    const smoke = (color: Color, target: k8s.apps.v1.Deployment) =>
      smokeJob(
        `${name}-smoke-${color}`,
        {
          environment: args.environment,
          service: args.service,
          color,
          version: versionOf(color),
          serviceHost: pulumi.interpolate`${services[color].metadata.name}.${services[color].metadata.namespace}.svc.cluster.local`,
          paths: route.smokePaths,
          namespace: args.namespace,
        },
        { parent: this, dependsOn: [target, services[color]] },
      );

    const activeDeployment = deployment(active, []);
    const activeSmoke = smoke(active, activeDeployment);
    const activeMigration = args.migrations[active];
    const gates = {
      parent: this,
      dependsOn: [activeDeployment, activeSmoke, ...(activeMigration ? [activeMigration] : [])],
    };

    const stable = this.service(
      `${name}-stable`,
      `ams-${args.service}`,
      selectorLabels(args.service, active),
      args,
      {},
      gates,
    );
    const preview = this.service(
      `${name}-preview`,
      `ams-${args.service}-preview`,
      selectorLabels(args.service, idle),
      args,
      {},
      gates,
    );
    const ingress = new k8s.networking.v1.Ingress(
      `${name}-public`,
      {
        metadata: {
          name: `ams-${args.service}`,
          namespace: args.namespace,
          // No version label: routing objects change only when traffic moves.
          labels: workloadLabels({ service: args.service, environment: args.environment }),
          annotations: {
            "alb.ingress.kubernetes.io/group.name": route.ingressGroup,
            "alb.ingress.kubernetes.io/group.order": "10",
            ...route.targetGroupAnnotations,
            [`alb.ingress.kubernetes.io/actions.${args.service}-weighted`]: weightedForwardAction(
              args.service,
              release.weights,
            ),
            [`alb.ingress.kubernetes.io/actions.${args.service}-preview`]: previewAction(args.service, idle),
            [`alb.ingress.kubernetes.io/conditions.${args.service}-preview`]: previewConditions(
              route.previewRoute,
            ),
          },
        },
        spec: {
          ingressClassName: "alb",
          rules: [
            {
              // A host-based preview route carries its own host; the header-based one shares the API host.
              ...(route.previewRoute.kind === "host" ? {} : { host: route.host }),
              http: {
                paths: [
                  {
                    path: "/",
                    pathType: "Prefix",
                    backend: {
                      service: { name: `${args.service}-preview`, port: { name: "use-annotation" } },
                    },
                  },
                  ...(route.previewRoute.kind === "host"
                    ? []
                    : [
                        {
                          path: "/",
                          pathType: "Prefix",
                          backend: {
                            service: { name: `${args.service}-weighted`, port: { name: "use-annotation" } },
                          },
                        },
                      ]),
                ],
              },
            },
            ...(route.previewRoute.kind === "host"
              ? [
                  {
                    host: route.host,
                    http: {
                      paths: [
                        {
                          path: "/",
                          pathType: "Prefix",
                          backend: {
                            service: { name: `${args.service}-weighted`, port: { name: "use-annotation" } },
                          },
                        },
                      ],
                    },
                  },
                ]
              : []),
          ],
        },
      },
      gates,
    );
    this.routing = [stable, preview, ingress];

    const idleDeployment = deployment(idle, this.routing);
    // A smoke test needs pods to answer: an idle color without a version has none (it gets its test when
    // its version is deployed, before any flip can route to it).
    if (colorReplicas(idle, release, args.idleColorPolicy, args.sizing.minReplicas) > 0)
      smoke(idle, idleDeployment);
    this.deployments = { [active]: activeDeployment, [idle]: idleDeployment } as Record<
      Color,
      k8s.apps.v1.Deployment
    >;
    this.registerOutputs({});
  }

  private service(
    name: string,
    serviceName: string,
    selector: Record<string, string>,
    args: BlueGreenServiceArgs,
    annotations: Record<string, string>,
    opts: pulumi.CustomResourceOptions = { parent: this },
  ): k8s.core.v1.Service {
    return httpService(
      name,
      {
        serviceName,
        service: args.service,
        environment: args.environment,
        namespace: args.namespace,
        selector,
        annotations,
      },
      { parent: this, ...opts },
    );
  }
}
