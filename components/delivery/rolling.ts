import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AmsConfig, SERVICES, ServiceName } from "../../config/types";
import { SHARED_CONFIG_MAP } from "../environment/appSettings";
import { ingressGroup, routeListenerAnnotations, targetGroupAnnotations } from "../environment/publicEntry";
import { ImageName } from "../environment/registry/repositories";
import { serviceAccountName } from "../environment/workloads/identity";
import { ReleaseState } from "../../release/state";
import { migrationJob, settledWhen, smokeJob } from "./gates";
import { publicIngress } from "./publicIngress";
import { sharedObjectAliases } from "./sharedObjects";
import { ReleaseTransition } from "./transition";
import {
  CAPACITY_TIMEOUTS,
  deploymentCapacityGate,
  FROZEN,
  HPA_OWNS_REPLICAS,
  HTTP_PORT,
  httpService,
  podTemplate,
  scalingObjects,
  selectorLabels,
  strategySelector,
  WorkloadSpec,
  workloadLabels,
} from "./workload";

export interface ReleaseArgs {
  readonly config: AmsConfig;
  readonly release: ReleaseState;
  readonly namespace: pulumi.Input<string>;
  readonly repositoryUrls: Readonly<Record<ImageName, pulumi.Input<string>>>;
  /** Service accounts, synced secrets, shared config (and add-ons) the pods need before they start. */
  readonly prerequisites: pulumi.Resource[];
  /** What this update changes relative to the last applied one (transition.ts). */
  readonly transition: ReleaseTransition;
  /**
   * The stack switches away from this strategy in this update: declare only the workloads that may still
   * serve, frozen as last deployed, so Pulumi keeps them until the next update (transition.ts).
   */
  readonly retiring?: boolean;
}

/** The workload spec of one service at the release's version: the same core every strategy uses. */
export function workloadSpec(
  args: ReleaseArgs,
  service: ServiceName,
  extra: Partial<WorkloadSpec> = {},
): WorkloadSpec {
  return {
    service,
    environment: args.config.environment,
    repositoryUrl: args.repositoryUrls[`ams-${service}`],
    version: args.release.activeVersion,
    sizing: args.config.sizing[service],
    serviceAccountName: serviceAccountName(service),
    configMapName: SHARED_CONFIG_MAP,
    deregistrationDelaySeconds: args.config.publicEntry.deregistrationDelaySeconds,
    ...extra,
  };
}

/**
 * The migration of the release's version, which every strategy runs before its pods change. Rolling and
 * canary name it alike (`ams-migrate-<version>`), so it carries the other's URN as an alias.
 */
export function releaseMigration(
  release: string,
  args: ReleaseArgs,
  parent: pulumi.Resource,
  strategy: "rolling" | "canary",
): k8s.batch.v1.Job {
  return migrationJob(
    `${release}-migrate`,
    {
      environment: args.config.environment,
      version: args.release.activeVersion,
      repositoryUrl: args.repositoryUrls["ams-migrations"],
      command: args.config.delivery.migrationCommand,
      namespace: args.namespace,
      configMapName: SHARED_CONFIG_MAP,
      serviceAccountName: serviceAccountName("worker"),
    },
    {
      parent,
      dependsOn: args.prerequisites,
      aliases: sharedObjectAliases("migration", strategy, release),
    },
  );
}

/**
 * Rolling release (v1.0): one Deployment per service, updated in place with `maxUnavailable: 0` (a new pod
 * must be ready before an old one goes) and `maxSurge` from config.
 *
 * Pre-deploy checklist, executed: the config validates (a version that is a valid tag is set), and the
 * migration Job of that version succeeds — the Deployments wait for it. Post-deploy checklist, executed:
 * Pulumi awaits each Deployment's rollout and its capacity (the HPA floor in available pods), then the api's
 * smoke Job must pass. The Service and Ingress (shared with the other strategies, see sharedObjects.ts) move
 * only once the Deployment has its capacity, which matters when the stack switches to rolling.
 */
export class RollingRelease extends pulumi.ComponentResource {
  /** Resolves once both Deployments have rolled out and the smoke test has passed. */
  readonly settled: pulumi.Output<boolean>;

  constructor(name: string, args: ReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ams:delivery:RollingRelease", name, {}, opts);
    const { config } = args;
    const retiring = args.retiring === true;
    const migration = retiring ? undefined : releaseMigration(name, args, this, "rolling");
    const applied: pulumi.Resource[] = [];

    for (const service of SERVICES) {
      const spec = workloadSpec(args, service);
      const deploymentName = `ams-${service}`;
      const floor = config.sizing[service].minReplicas;
      const scaling = retiring
        ? undefined
        : scalingObjects(
            `${name}-${service}`,
            {
              targetName: deploymentName,
              target: { apiVersion: "apps/v1", kind: "Deployment" },
              namespace: args.namespace,
              labels: workloadLabels({ service, environment: config.environment }),
              selector: strategySelector(service),
              sizing: config.sizing[service],
              aliases: {
                autoscaler: sharedObjectAliases("autoscaler", "rolling", name, service),
                disruptionBudget: sharedObjectAliases("disruptionBudget", "rolling", name, service),
              },
            },
            { parent: this },
          );
      const deployment = new k8s.apps.v1.Deployment(
        `${name}-${service}`,
        {
          metadata: {
            name: deploymentName,
            namespace: args.namespace,
            labels: workloadLabels(spec),
            annotations: deploymentCapacityGate(floor),
          },
          spec: {
            // No replica count: the HPA owns it (HPA_OWNS_REPLICAS).
            selector: { matchLabels: selectorLabels(service) },
            strategy: {
              type: "RollingUpdate",
              rollingUpdate: { maxUnavailable: 0, maxSurge: surge(config.rolling.maxSurge) },
            },
            minReadySeconds: config.rolling.minReadySeconds,
            revisionHistoryLimit: 5,
            template: podTemplate(spec),
          },
        },
        retiring
          ? { parent: this, ...FROZEN }
          : {
              parent: this,
              ...HPA_OWNS_REPLICAS,
              customTimeouts: CAPACITY_TIMEOUTS,
              dependsOn: [...(migration ? [migration] : []), ...(scaling ? [scaling.autoscaler] : [])],
            },
      );
      applied.push(deployment);
      if (service !== "api" || retiring) continue;

      const svc = httpService(
        `${name}-${service}`,
        {
          serviceName: `ams-${service}`,
          service,
          environment: config.environment,
          namespace: args.namespace,
          selector: strategySelector(service),
        },
        {
          parent: this,
          dependsOn: [deployment],
          aliases: sharedObjectAliases("apiService", "rolling", name),
        },
      );
      const smoke = smokeJob(
        `${name}-${service}-smoke`,
        {
          environment: config.environment,
          service,
          version: args.release.activeVersion,
          serviceHost: pulumi.interpolate`${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`,
          paths: config.delivery.smokePaths,
          namespace: args.namespace,
        },
        { parent: this, dependsOn: [deployment, svc] },
      );
      publicIngress(
        `${name}-${service}-public`,
        {
          service,
          environment: config.environment,
          namespace: args.namespace,
          host: config.publicEntry.apiHost,
          ingressGroup: ingressGroup(config.environment),
          targetGroupAnnotations: {
            ...routeListenerAnnotations(config.publicEntry),
            ...targetGroupAnnotations(config.publicEntry),
          },
          backend: { service: `ams-${service}`, port: { number: HTTP_PORT } },
        },
        {
          parent: this,
          dependsOn: [svc, deployment],
          aliases: sharedObjectAliases("apiIngress", "rolling", name),
        },
      );
      applied.push(smoke);
    }
    this.settled = settledWhen(applied);
    this.registerOutputs({});
  }
}

/** `25%` stays a percentage; `2` becomes the number Kubernetes expects for a count. */
function surge(value: string): string | number {
  return value.endsWith("%") ? value : Number(value);
}
