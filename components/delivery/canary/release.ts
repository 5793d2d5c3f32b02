import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SERVICES } from "../../../config/types";
import { canaryMetrics, canarySteps } from "./analysis";
import { settledWhen } from "../core/gates";
import { actionBackend, PublicRouteArgs, publicRoute } from "../core/publicRoute";
import { ReleaseArgs, releaseMigration, workloadSpec } from "../core/releaseArgs";
import { RELEASE_TYPES, sharedObjectAliases } from "../core/sharedObjects";
import {
  CAPACITY_TIMEOUTS,
  FROZEN,
  HPA_OWNS_REPLICAS,
  HTTP_PORT,
  httpService,
  podTemplate,
  rolloutCapacityGate,
  scalingObjects,
  selectorLabels,
  strategySelector,
  workloadLabels,
} from "../core/workload";
import { canaryServiceName, workloadName } from "../../names";

const ROLLOUT = { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout" };
/** The AnalysisTemplate the api's Rollout runs from its first traffic step on. */
const CANARY_ANALYSIS = `${canaryServiceName("api", "canary")}-health`;

/**
 * Pulumi does not await an Ingress whose ALB action Argo Rollouts writes. Pulumi's Ingress await waits for
 * the controller to give the Ingress an address (provider/pkg/await/ingress.go), and the controller builds a
 * whole Ingress group at once: while the rule names an action that does not exist yet, it builds nothing, so
 * on a first deploy the Ingress would wait for the Rollout that waits for it. The await proves nothing about
 * the listener rules anyway; Argo Rollouts' target-group verification does (addons, `--aws-verify-target-group`).
 */
const ARGO_MANAGED_INGRESS = { "pulumi.com/skipAwait": "true" };

/**
 * Canary release (v1.2) with Argo Rollouts: a `Rollout` per service in place of a Deployment, same pod
 * template. The api's traffic moves through the ALB in the configured steps (the controller rewrites the
 * Ingress's forward action between the stable and canary Services), while an AnalysisTemplate watches the
 * canary's error rate and p95 latency and aborts on a breach — or on missing data — (all traffic back to
 * stable). The worker follows the same steps by replica share, without traffic routing.
 *
 * Pulumi applies a Rollout and waits only for its capacity (the HPA floor in available pods); Argo Rollouts
 * then drives the steps. The config keeps saying the new version after an automatic abort: set it back (or
 * retry) — see docs/runbook-canary.md.
 *
 * Order: Argo Rollouts starts a Rollout only once its Ingress has a rule forwarding to the root Service
 * `ams-api` (`validateAlbIngress`, argo-rollouts pkg/apis/rollouts/validation/validation_references.go), so
 * normally the Ingress comes first. Switching from rolling, the rolling Ingress already forwards to `ams-api`
 * (by port number, so the ALB ignores Argo's action): the Rollouts come up behind it, and the Ingress moves to
 * Argo's action only once they have their capacity.
 */
export class CanaryRelease extends pulumi.ComponentResource {
  /** Resolves once the Rollouts are applied (Argo Rollouts then drives the steps). */
  readonly settled: pulumi.Output<boolean>;

  constructor(name: string, args: ReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super(RELEASE_TYPES.canary, name, {}, opts);
    const { config } = args;
    const environment = config.environment;
    const retiring = args.retiring === true;
    const fromRolling = args.transition.retiring?.strategy === "rolling";
    const frozen = retiring ? FROZEN : {};
    const migration = retiring ? undefined : releaseMigration(name, args, this, "canary");
    const labels = (service: (typeof SERVICES)[number]) => workloadLabels({ service, environment });
    // Argo Rollouts adds the pod-template hash to the stable and canary selectors as traffic moves.
    const service = (
      logical: string,
      serviceName: string,
      options: pulumi.CustomResourceOptions = {},
    ): k8s.core.v1.Service =>
      httpService(
        logical,
        {
          serviceName,
          service: "api",
          environment,
          namespace: args.namespace,
          selector: strategySelector("api"),
        },
        { parent: this, ...frozen, ...options },
      );

    const analysis = new k8s.apiextensions.CustomResource(
      `${name}-api-analysis`,
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AnalysisTemplate",
        metadata: { name: CANARY_ANALYSIS, namespace: args.namespace, labels: labels("api") },
        spec: { metrics: canaryMetrics(environment, canaryServiceName("api", "canary"), config.canary) },
      },
      { parent: this, ...frozen, dependsOn: retiring ? [] : args.prerequisites },
    );
    const stable = service(`${name}-api-stable`, canaryServiceName("api", "stable"));
    const canary = service(`${name}-api-canary`, canaryServiceName("api", "canary"));
    const routing: pulumi.Resource[] = [];
    if (!retiring) {
      const root = service(`${name}-api-root`, workloadName("api"), {
        aliases: sharedObjectAliases("apiService", "canary", name),
      });
      routing.push(root, stable, canary);
    }

    const rollouts: Record<(typeof SERVICES)[number], k8s.apiextensions.CustomResource> = {} as Record<
      (typeof SERVICES)[number],
      k8s.apiextensions.CustomResource
    >;
    const ingressArgs: PublicRouteArgs = {
      service: "api",
      environment,
      namespace: args.namespace,
      entry: config.publicEntry,
      // Argo Rollouts owns the action named after the root Service: it holds the stable/canary weights.
      rules: [{ host: config.publicEntry.apiHost, backends: [actionBackend(workloadName("api"))] }],
      annotations: ARGO_MANAGED_INGRESS,
    };
    const ingressOptions = { parent: this, aliases: sharedObjectAliases("apiIngress", "canary", name) };
    const ingressFirst =
      retiring || fromRolling
        ? undefined
        : publicRoute(`${name}-api-public`, ingressArgs, { ...ingressOptions, dependsOn: routing });

    for (const svc of SERVICES) {
      const rolloutName = workloadName(svc);
      const steps = canarySteps(config.canary);
      const strategy =
        svc === "api"
          ? {
              canaryService: canaryServiceName("api", "canary"),
              stableService: canaryServiceName("api", "stable"),
              trafficRouting: {
                alb: {
                  ingress: workloadName("api"),
                  rootService: workloadName("api"),
                  servicePort: HTTP_PORT,
                },
              },
              analysis: { templates: [{ templateName: CANARY_ANALYSIS }], startingStep: 1 },
              steps,
            }
          : { steps };
      const floor = config.sizing[svc].minReplicas;
      const scaling = retiring
        ? undefined
        : scalingObjects(
            `${name}-${svc}`,
            {
              targetName: rolloutName,
              target: ROLLOUT,
              namespace: args.namespace,
              labels: labels(svc),
              selector: strategySelector(svc),
              sizing: config.sizing[svc],
              aliases: {
                autoscaler: sharedObjectAliases("autoscaler", "canary", name, svc),
                disruptionBudget: sharedObjectAliases("disruptionBudget", "canary", name, svc),
              },
            },
            { parent: this },
          );
      const dependsOn = [
        ...(migration ? [migration] : []),
        ...(scaling ? [scaling.autoscaler] : []),
        ...(svc === "api" ? [analysis, ...routing, ...(ingressFirst ? [ingressFirst] : [])] : []),
      ];
      rollouts[svc] = new k8s.apiextensions.CustomResource(
        `${name}-${svc}`,
        {
          ...ROLLOUT,
          // No version label on the Rollout itself: a new version changes only its pod template.
          metadata: {
            name: rolloutName,
            namespace: args.namespace,
            labels: labels(svc),
            annotations: rolloutCapacityGate(floor),
          },
          spec: {
            // No replica count: the HPA owns it (HPA_OWNS_REPLICAS).
            selector: { matchLabels: selectorLabels(svc) },
            revisionHistoryLimit: 5,
            template: podTemplate(workloadSpec(args, svc)),
            strategy: {
              canary: { ...strategy, maxUnavailable: 0, maxSurge: "25%", abortScaleDownDelaySeconds: 30 },
            },
          },
        },
        retiring
          ? { parent: this, ...FROZEN }
          : { parent: this, ...HPA_OWNS_REPLICAS, customTimeouts: CAPACITY_TIMEOUTS, dependsOn },
      );
    }
    if (fromRolling && !retiring) {
      publicRoute(`${name}-api-public`, ingressArgs, {
        ...ingressOptions,
        dependsOn: [...routing, rollouts.api],
      });
    }
    this.settled = settledWhen(Object.values(rollouts));
    this.registerOutputs({ settled: this.settled });
  }
}
