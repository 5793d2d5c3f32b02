import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  Color,
  COLORS,
  EnvironmentName,
  IdleColorPolicy,
  ServiceName,
  ServiceSizing,
} from "../../../config/types";
import { ReleaseState } from "../../../release/state";
import { smokeJob } from "../core/gates";
import { publicRouteAnnotations } from "../core/publicRoute";
import { BLUE_GREEN_SERVICE_TYPE } from "../core/sharedObjects";
import { ReleaseTransition } from "../core/transition";
import { CONSUMER_SWITCH_ENV } from "./consumerSwitch";
import { colorWorkloadName, consumerSwitchName } from "../../names";
import { apiRouting, PublicRoute } from "./routing";
import {
  CAPACITY_TIMEOUTS,
  deploymentCapacityGate,
  FROZEN,
  HPA_OWNS_REPLICAS,
  httpService,
  podTemplate,
  scalingObjects,
  selectorLabels,
  WorkloadSpec,
  workloadLabels,
} from "../core/workload";

export interface BlueGreenServiceArgs {
  /** Which AMS service (`api`: HTTP behind the ALB; `worker`: queue consumer). */
  readonly service: ServiceName;
  readonly environment: EnvironmentName;
  readonly namespace: pulumi.Input<string>;
  /** The declared release: active/idle color, their versions, the traffic weights. */
  readonly release: ReleaseState;
  /** What this update changes relative to the last one: the color that drains, colors that had no version. */
  readonly transition: Pick<ReleaseTransition, "drainingColor" | "versionlessBefore">;
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
  /** Name of the release component (`ams-release`), for the aliases of objects other strategies share. */
  readonly releaseName: string;
  /**
   * The stack is switching away from blue-green in this update: declare only what may still be serving
   * (Deployments, the colors' Services the old ALB rule forwards to, the consume switches), frozen as they
   * were deployed, so Pulumi neither changes nor deletes them until the next update.
   */
  readonly retiring?: boolean;
}

/**
 * Pods a `scaledDown` idle color keeps: one warm pod answers the preview route and the smoke test, and a
 * flip to it only raises its autoscaler floor — nothing is created, so rollback stays a routing change.
 */
export const WARM_IDLE_REPLICAS = 1;

/**
 * The autoscaler floor of a color: the HPA minimum while it takes traffic, while it is a `full` idle color,
 * and during the update that moves traffic away from it (`drainingColor`); one warm pod for a `scaledDown`
 * idle color from the next update on; `undefined` for an idle color that has no version (it runs no pods and
 * has no autoscaler — an HPA does not scale a Deployment at zero replicas).
 */
export function colorFloor(
  color: Color,
  release: Pick<ReleaseState, "activeColor" | "idleVersion">,
  policy: IdleColorPolicy,
  minReplicas: number,
  drainingColor: Color | undefined,
): number | undefined {
  if (color === release.activeColor) return minReplicas;
  if (release.idleVersion === undefined) return undefined;
  if (policy === "full" || color === drainingColor) return minReplicas;
  return Math.min(WARM_IDLE_REPLICAS, minReplicas);
}

/**
 * Whether the program keeps the provider from resetting `spec.replicas` (HPA_OWNS_REPLICAS). Not for a color
 * that had no version in the last update: the program itself owned its count of 0, and giving that up is
 * what starts the color — the API server resets the count to 1 and the new HPA raises it to the floor. With
 * the field ignored, the provider would re-apply the 0 and the HPA would never scale the Deployment.
 */
function replicaOwnership(color: Color, versionlessBefore: readonly Color[]): pulumi.CustomResourceOptions {
  return versionlessBefore.includes(color) ? {} : HPA_OWNS_REPLICAS;
}

/**
 * One AMS service released blue-green. Both colors always exist, each with its own Deployment, Service
 * (fixed color selector), HPA and PDB. Traffic is chosen only by routing objects: the stable Service's
 * selector (in-cluster callers), the preview Service's selector (the idle color), and — for the api — the
 * ALB's weighted forward action over the two colors' target groups plus a preview rule to the idle color. A
 * worker's "traffic" is its consume switch (consumerSwitch.ts; routing.ts has everything a flip changes), read by the running pods: a flip changes no
 * pod template and restarts no pod.
 *
 * Order within one `pulumi up`: a color's HPA, then its Deployment, which waits for its migration and for
 * its capacity (the HPA floor in available pods, deploymentCapacityGate); routing waits for the active
 * color's Deployment, migration and smoke test; only then does the idle color's HPA change (and its
 * Deployment's gate). The color losing traffic keeps its floor in the update that moves traffic
 * (`drainingColor`): a `scaledDown` idle policy shrinks it in the next update, after the ALB has long moved.
 */
export class BlueGreenService extends pulumi.ComponentResource {
  /** Deployment of each color. */
  readonly deployments: Record<Color, k8s.apps.v1.Deployment>;
  /** Objects that choose where traffic goes (empty for a worker). */
  readonly routing: pulumi.Resource[];

  constructor(name: string, args: BlueGreenServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(BLUE_GREEN_SERVICE_TYPE, name, {}, opts);
    const { release } = args;
    const active = release.activeColor;
    const idle = release.idleColor;
    const retiring = args.retiring === true;
    const versionOf = (color: Color) =>
      color === active ? release.activeVersion : (release.idleVersion ?? release.activeVersion);
    const floorOf = (color: Color) =>
      colorFloor(
        color,
        release,
        args.idleColorPolicy,
        args.sizing.minReplicas,
        args.transition.drainingColor,
      );

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
        // Constant per color: which switch this color's workers read, never whether they consume.
        env: args.publicRoute ? {} : { [CONSUMER_SWITCH_ENV]: consumerSwitchName(color) },
      };
      const deploymentName = colorWorkloadName(args.service, color);
      const floor = floorOf(color);
      const migration = args.migrations[color];
      // Objects that outlive a version (autoscaler, disruption budget) carry no version label.
      const colorLabels = workloadLabels({ service: args.service, environment: args.environment, color });
      const scaling =
        floor === undefined || retiring
          ? undefined
          : scalingObjects(
              `${name}-${color}`,
              {
                targetName: deploymentName,
                target: { apiVersion: "apps/v1", kind: "Deployment" },
                namespace: args.namespace,
                labels: colorLabels,
                selector: selectorLabels(args.service, color),
                sizing: { ...args.sizing, minReplicas: floor },
              },
              { parent: this, dependsOn },
            );
      const options: pulumi.CustomResourceOptions = retiring
        ? FROZEN
        : floor === undefined
          ? {}
          : {
              ...replicaOwnership(color, args.transition.versionlessBefore),
              customTimeouts: CAPACITY_TIMEOUTS,
            };
      return new k8s.apps.v1.Deployment(
        `${name}-${color}`,
        {
          metadata: {
            name: deploymentName,
            namespace: args.namespace,
            labels: workloadLabels(spec),
            // A color without a version runs no pods. Its count is the program's (no HPA scales it); forcing
            // takes it back from an HPA that scaled the color while it still had a version.
            annotations:
              floor === undefined ? { "pulumi.com/patchForce": "true" } : deploymentCapacityGate(floor),
          },
          spec: {
            ...(floor === undefined ? { replicas: 0 } : {}),
            selector: { matchLabels: selectorLabels(args.service, color) },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
            minReadySeconds: 10,
            revisionHistoryLimit: 5,
            template: podTemplate(spec),
          },
        },
        {
          parent: this,
          ...options,
          dependsOn: retiring
            ? []
            : [...(migration ? [migration] : []), ...(scaling ? [scaling.autoscaler] : []), ...dependsOn],
        },
      );
    };

    if (!args.publicRoute) {
      const activeDeployment = deployment(active, []);
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
        colorWorkloadName(args.service, color),
        selectorLabels(args.service, color),
        args,
        publicRouteAnnotations(route.entry),
        { parent: this, ...(retiring ? FROZEN : {}) },
      );
    const services = Object.fromEntries(COLORS.map((color) => [color, colorService(color)])) as Record<
      Color,
      k8s.core.v1.Service
    >;
    if (retiring) {
      this.deployments = { [active]: deployment(active, []), [idle]: deployment(idle, []) } as Record<
        Color,
        k8s.apps.v1.Deployment
      >;
      this.routing = [];
      this.registerOutputs({});
      return;
    }
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

    this.routing = apiRouting(
      name,
      {
        service: args.service,
        environment: args.environment,
        namespace: args.namespace,
        release,
        route,
        releaseName: args.releaseName,
      },
      gates,
    );

    const idleDeployment = deployment(idle, this.routing);
    // A smoke test needs pods to answer: an idle color without a version has none (it gets its test when
    // its version is deployed, before any flip can route to it).
    if (floorOf(idle) !== undefined) smoke(idle, idleDeployment);
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
