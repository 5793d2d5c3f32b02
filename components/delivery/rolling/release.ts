import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SERVICES } from "../../../config/types";
import { settledWhen, smokeJob } from "../core/gates";
import { publicRoute } from "../core/publicRoute";
import { ReleaseArgs, releaseMigration, workloadSpec } from "../core/releaseArgs";
import { RELEASE_TYPES, sharedObjectAliases } from "../core/sharedObjects";
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
  workloadLabels,
} from "../core/workload";
import { workloadName } from "../../names";

/**
 * Rolling release (v1.0): one Deployment per service, updated in place with `maxUnavailable: 0` (a new pod
 * must be ready before an old one goes) and `maxSurge` from config.
 *
 * Pre-deploy checklist, executed: the config validates (a version that is a valid tag is set), and the
 * migration Job of that version succeeds — the Deployments wait for it. Post-deploy checklist, executed:
 * Pulumi awaits each Deployment's rollout and its capacity (the HPA floor in available pods), then the api's
 * smoke Job must pass. The Service and Ingress (shared with the other strategies, see core/sharedObjects.ts) move
 * only once the Deployment has its capacity, which matters when the stack switches to rolling.
 */
export class RollingRelease extends pulumi.ComponentResource {
  /** Resolves once both Deployments have rolled out and the smoke test has passed. */
  readonly settled: pulumi.Output<boolean>;

  constructor(name: string, args: ReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super(RELEASE_TYPES.rolling, name, {}, opts);
    const { config } = args;
    const retiring = args.retiring === true;
    const migration = retiring ? undefined : releaseMigration(name, args, this, "rolling");
    const applied: pulumi.Resource[] = [];

    for (const service of SERVICES) {
      const spec = workloadSpec(args, service);
      const deploymentName = workloadName(service);
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
          serviceName: workloadName(service),
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
      publicRoute(
        `${name}-${service}-public`,
        {
          service,
          environment: config.environment,
          namespace: args.namespace,
          entry: config.publicEntry,
          rules: [
            {
              host: config.publicEntry.apiHost,
              backends: [{ service: workloadName(service), port: { number: HTTP_PORT } }],
            },
          ],
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
    this.registerOutputs({ settled: this.settled });
  }
}

/** `25%` stays a percentage; `2` becomes the number Kubernetes expects for a count. */
function surge(value: string): string | number {
  return value.endsWith("%") ? value : Number(value);
}
