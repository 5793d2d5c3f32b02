import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SERVICES } from "../../amsConfig/types";
import { ingressGroup, routeListenerAnnotations, targetGroupAnnotations } from "../environment/publicEntry";
import { canaryMetrics, canarySteps } from "./canaryAnalysis";
import { settledWhen } from "./gates";
import { publicIngress } from "./publicIngress";
import { ReleaseArgs, releaseMigration, workloadSpec } from "./rolling";
import {
  HTTP_PORT,
  httpService,
  podTemplate,
  scalingObjects,
  selectorLabels,
  workloadLabels,
} from "./workload";

const ROLLOUT = { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout" };

/**
 * Canary release (v1.2) with Argo Rollouts: a `Rollout` per service in place of a Deployment, same pod
 * template. The api's traffic moves through the ALB in the configured steps (the controller rewrites the
 * Ingress's forward action between the stable and canary Services), while an AnalysisTemplate watches the
 * canary's error rate and p95 latency and aborts on a breach (all traffic back to stable). The worker
 * follows the same steps by replica share, without traffic routing.
 *
 * Pulumi applies the Rollout and returns; Argo Rollouts then drives the steps. The config keeps saying
 * the new version after an automatic abort: set it back (or retry) — see docs/runbook-canary.md.
 */
export class CanaryRelease extends pulumi.ComponentResource {
  /** Resolves once the Rollouts are applied (Argo Rollouts then drives the steps). */
  readonly settled: pulumi.Output<boolean>;

  constructor(name: string, args: ReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ams:delivery:CanaryRelease", name, {}, opts);
    const { config } = args;
    const environment = config.environment;
    const migration = releaseMigration(`${name}-migrate`, args, this);
    const labels = (service: (typeof SERVICES)[number]) => workloadLabels({ service, environment });
    // Argo Rollouts adds the pod-template hash to the stable and canary selectors as traffic moves.
    const service = (logical: string, serviceName: string, owner: (typeof SERVICES)[number]) =>
      httpService(
        logical,
        {
          serviceName,
          service: owner,
          environment,
          namespace: args.namespace,
          selector: selectorLabels(owner),
        },
        { parent: this },
      );

    const analysis = new k8s.apiextensions.CustomResource(
      `${name}-api-analysis`,
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AnalysisTemplate",
        metadata: { name: "ams-api-canary-health", namespace: args.namespace, labels: labels("api") },
        spec: { metrics: canaryMetrics(environment, "ams-api-canary", config.canary) },
      },
      { parent: this, dependsOn: args.prerequisites },
    );
    const root = service(`${name}-api-root`, "ams-api", "api");
    const stable = service(`${name}-api-stable`, "ams-api-stable", "api");
    const canary = service(`${name}-api-canary`, "ams-api-canary", "api");
    const ingress = publicIngress(
      `${name}-api-public`,
      {
        service: "api",
        environment,
        namespace: args.namespace,
        host: config.publicEntry.apiHost,
        ingressGroup: ingressGroup(environment),
        targetGroupAnnotations: {
          ...routeListenerAnnotations(config.publicEntry),
          ...targetGroupAnnotations(config.publicEntry),
        },
        // Argo Rollouts owns the action named after the root Service: it holds the stable/canary weights.
        backend: { service: "ams-api", port: { name: "use-annotation" } },
      },
      { parent: this, dependsOn: [root, stable, canary] },
    );

    const rollouts: pulumi.Resource[] = [];
    for (const svc of SERVICES) {
      const rolloutName = `ams-${svc}`;
      const steps = canarySteps(config.canary);
      const strategy =
        svc === "api"
          ? {
              canaryService: "ams-api-canary",
              stableService: "ams-api-stable",
              trafficRouting: { alb: { ingress: "ams-api", rootService: "ams-api", servicePort: HTTP_PORT } },
              analysis: { templates: [{ templateName: "ams-api-canary-health" }], startingStep: 1 },
              steps,
            }
          : { steps };
      const rollout = new k8s.apiextensions.CustomResource(
        `${name}-${svc}`,
        {
          ...ROLLOUT,
          // No version label on the Rollout itself: a new version changes only its pod template.
          metadata: { name: rolloutName, namespace: args.namespace, labels: labels(svc) },
          spec: {
            // No replica count: the HPA owns it.
            selector: { matchLabels: selectorLabels(svc) },
            revisionHistoryLimit: 5,
            template: podTemplate(workloadSpec(args, svc)),
            strategy: {
              canary: { ...strategy, maxUnavailable: 0, maxSurge: "25%", abortScaleDownDelaySeconds: 30 },
            },
          },
        },
        { parent: this, dependsOn: [migration, ...(svc === "api" ? [analysis, ingress] : [])] },
      );
      rollouts.push(rollout);
      scalingObjects(
        `${name}-${svc}`,
        {
          targetName: rolloutName,
          target: ROLLOUT,
          namespace: args.namespace,
          labels: labels(svc),
          selector: selectorLabels(svc),
          sizing: config.sizing[svc],
        },
        { parent: this },
      );
    }
    this.settled = settledWhen(rollouts);
    this.registerOutputs({});
  }
}
