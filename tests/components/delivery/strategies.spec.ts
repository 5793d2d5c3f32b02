import { strict as assert } from "assert";
import { READINESS_PATH } from "../../../components/delivery/core/workload";
import { comparePlans } from "../../../plan/compare";
import { PlannedResource, findResource, findResources, kubernetesObjects } from "../../../plan/plan";
import { checkPolicies } from "../../../plan/policyCheck";
import { parseStack, problemFor } from "../../helpers/config";
import { validateKubernetesObject } from "../../helpers/kubernetesSchemas";
import { planAfter, planDeployed, STACKS } from "../../helpers/plans";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
const ANALYSIS = "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate";
const JOB = "kubernetes:batch/v1:Job";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";

type PodSpec = {
  containers: { readinessProbe: { httpGet: { path: string } }; env: { name: string; value: string }[] }[];
} & Record<string, unknown>;
const podSpec = (resource: PlannedResource) =>
  (resource.inputs.spec as { template: { spec: PodSpec } }).template.spec;

describe("release strategies: rolling, blueGreen, canary — one config switch apart", () => {
  for (const stack of STACKS) {
    for (const strategy of ["rolling", "blueGreen", "canary"]) {
      it(`${stack} plans with strategy ${strategy}, and every object validates (incl. Argo Rollouts CRDs)`, async () => {
        const plan = await planDeployed(stack, `strategy=${strategy}`);
        const objects = kubernetesObjects(plan);
        for (const object of objects) await validateKubernetesObject(object.inputs);
        const kinds = new Set(objects.map((o) => o.inputs.kind));
        assert.equal(kinds.has("Rollout"), strategy === "canary");
        assert.equal(
          findResources(plan, DEPLOYMENT).length,
          { rolling: 2, blueGreen: 4, canary: 0 }[strategy],
        );
        // Every policy holds in every strategy: among them, no replica count under an HPA and a capacity
        // gate at its floor (ams-hpa-owns-replicas, ams-autoscaled-workloads).
        assert.deepEqual(
          (await checkPolicies(plan)).filter((v) => v.enforcementLevel === "mandatory"),
          [],
        );
      });
    }
  }

  describe("rolling", () => {
    it("updates in place with no unavailable pod, surge and readiness time from config, after the migration", async () => {
      const plan = await planDeployed(
        "prod",
        "strategy=rolling",
        "rolling.maxSurge=2",
        "rolling.minReadySeconds=20",
      );
      const api = findResource(plan, DEPLOYMENT, "ams-release-api");
      const spec = api.inputs.spec as {
        strategy: { rollingUpdate: { maxUnavailable: number; maxSurge: number } };
        minReadySeconds: number;
        replicas?: number;
      };
      assert.deepEqual(spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 2 });
      assert.equal(spec.minReadySeconds, 20);
      assert.equal(spec.replicas, undefined, "the HPA owns the replica count");
      const migration = findResource(plan, JOB, "ams-release-migrate");
      const autoscaler = (name: string) => findResource(plan, HPA, name).urn;
      assert.deepEqual(api.options.dependsOn, [migration.urn, autoscaler("ams-release-api")]);
      assert.deepEqual(findResource(plan, DEPLOYMENT, "ams-release-worker").options.dependsOn, [
        migration.urn,
        autoscaler("ams-release-worker"),
      ]);
      const smoke = findResource(plan, JOB, "ams-release-api-smoke");
      assert.ok(smoke.options.dependsOn.includes(api.urn), "post-deploy smoke test runs after the rollout");
    });
  });

  describe("canary", () => {
    it("steps default to 5 → 20 → 50 → 100 with pauses between, traffic through the ALB, analysis from step 1", async () => {
      const plan = await planDeployed("prod", "strategy=canary");
      const rollout = findResource(plan, ROLLOUT, "ams-release-api");
      const canary = (rollout.inputs.spec as { strategy: { canary: Record<string, unknown> } }).strategy
        .canary;
      const pause = parseStack("prod").canary.pause;
      assert.deepEqual(canary.steps, [
        { setWeight: 5 },
        { pause: { duration: pause } },
        { setWeight: 20 },
        { pause: { duration: pause } },
        { setWeight: 50 },
        { pause: { duration: pause } },
        { setWeight: 100 },
      ]);
      assert.deepEqual(canary.trafficRouting, {
        alb: { ingress: "ams-api", rootService: "ams-api", servicePort: 8080 },
      });
      assert.deepEqual(canary.analysis, {
        templates: [{ templateName: "ams-api-canary-health" }],
        startingStep: 1,
      });
      const worker = findResource(plan, ROLLOUT, "ams-release-worker");
      const workerCanary = (worker.inputs.spec as { strategy: { canary: Record<string, unknown> } }).strategy
        .canary;
      assert.equal(workerCanary.trafficRouting, undefined, "workers step by replica share");
      assert.deepEqual(workerCanary.steps, canary.steps);
    });

    it("aborts on thresholds from config: error rate and p95 latency", async () => {
      const plan = await planDeployed(
        "prod",
        "strategy=canary",
        "canary.maxErrorRatePercent=3",
        "canary.maxP95LatencyMs=800",
      );
      const metrics = (
        findResource(plan, ANALYSIS, "ams-release-api-analysis").inputs.spec as {
          metrics: {
            name: string;
            successCondition: string;
            failureLimit: number;
            provider: Record<string, unknown>;
          }[];
        }
      ).metrics;
      const byName = Object.fromEntries(metrics.map((m) => [m.name, m]));
      assert.equal(
        byName["error-rate"].successCondition,
        "len(result) > 0 && len(result[0].Values) > 0 && all(result[0].Values, {# <= 3})",
      );
      assert.equal(
        byName["p95-latency"].successCondition,
        "len(result) > 0 && len(result[0].Values) > 0 && all(result[0].Values, {# <= 0.8})",
      );
      for (const metric of metrics) {
        assert.equal(metric.failureLimit, 1, "a breach aborts the rollout");
        assert.ok("cloudWatch" in metric.provider);
      }
      assert.match(JSON.stringify(byName["error-rate"].provider), /TargetGroup=k8s-amsprod-amsapica'/);
    });

    it("uses Prometheus where configured", async () => {
      const plan = await planDeployed(
        "prod",
        "strategy=canary",
        "canary.metricsProvider=prometheus",
        "canary.prometheusAddress=http://prometheus.monitoring:9090",
      );
      const metrics = (
        findResource(plan, ANALYSIS, "ams-release-api-analysis").inputs.spec as {
          metrics: { provider: { prometheus?: { address: string } } }[];
        }
      ).metrics;
      assert.ok(metrics.every((m) => m.provider.prometheus?.address === "http://prometheus.monitoring:9090"));
    });

    it("the Prometheus analysis aborts at the configured error rate and p95, in the units the queries return", async () => {
      for (const [errorRate, p95Ms] of [
        [3, 800],
        [7, 1500],
      ]) {
        const plan = await planDeployed(
          "prod",
          "strategy=canary",
          "canary.metricsProvider=prometheus",
          "canary.prometheusAddress=http://prometheus.monitoring:9090",
          `canary.maxErrorRatePercent=${errorRate}`,
          `canary.maxP95LatencyMs=${p95Ms}`,
        );
        const metrics = (
          findResource(plan, ANALYSIS, "ams-release-api-analysis").inputs.spec as {
            metrics: {
              name: string;
              successCondition: string;
              provider: { prometheus: { query: string } };
            }[];
          }
        ).metrics;
        const byName = Object.fromEntries(metrics.map((metric) => [metric.name, metric]));
        const limitOf = (name: string) =>
          Number(/result\[0\] <= ([\d.]+)$/.exec(byName[name].successCondition)?.[1]);
        // The error-rate query returns percent (100 × 5xx / all requests of the canary Service), like the limit.
        assert.equal(limitOf("error-rate"), errorRate);
        assert.match(
          byName["error-rate"].provider.prometheus.query,
          /^100 \* sum\(rate\([^)]*status=~"5\.\."/,
        );
        assert.match(byName["error-rate"].provider.prometheus.query, /service="ams-api-canary"/);
        // Micrometer's histogram is in seconds; the limit is configured in milliseconds.
        assert.equal(limitOf("p95-latency"), p95Ms / 1000);
        assert.match(byName["p95-latency"].provider.prometheus.query, /^histogram_quantile\(0\.95, /);
      }
    });

    it("a new version changes the Rollouts' pod templates only (Argo Rollouts does the rest), after its migration", async () => {
      const before = await planDeployed("prod", "strategy=canary");
      const after = await planAfter("prod", ["strategy=canary"], ["blueVersion=1.5.0"]);
      const changes = comparePlans(before, after).changes;
      assert.deepEqual(changes.map((c) => c.name).sort(), [
        "ams-release-api",
        "ams-release-migrate",
        "ams-release-worker",
      ]);
      for (const change of changes.filter((c) => c.type === ROLLOUT)) {
        assert.ok(
          change.paths.every((path) => path.startsWith("spec.template.")),
          change.paths.join(),
        );
      }
    });
  });

  it("the workload core is shared: every strategy's pods come from one template, probes included", async () => {
    const templates = [
      podSpec(findResource(await planDeployed("prod", "strategy=rolling"), DEPLOYMENT, "ams-release-api")),
      podSpec(findResource(await planDeployed("prod", "strategy=canary"), ROLLOUT, "ams-release-api")),
      podSpec(findResource(await planDeployed("prod"), DEPLOYMENT, "ams-release-api-blue")),
    ];
    for (const template of templates)
      assert.equal(template.containers[0].readinessProbe.httpGet.path, READINESS_PATH);
    // Apart from blue-green's color (its env and spread selector), the pod specs are the same object.
    const withoutColor = (spec: PodSpec) =>
      JSON.stringify(spec, (key, value) => {
        if (key === "ams.io/color") return undefined;
        if (value && typeof value === "object" && (value as { name?: string }).name === "AMS_COLOR")
          return undefined;
        return value;
      }).replace(/,null|null,/g, "");
    assert.equal(withoutColor(templates[0]), withoutColor(templates[1]));
    assert.equal(withoutColor(templates[0]), withoutColor(templates[2]));
  });

  describe("bad canary config exits before anything is registered, naming the key", () => {
    const steps = (list: string) => `canary.steps=${list}`;
    it("steps not strictly increasing", () =>
      assert.match(
        problemFor("canary.steps", "prod", steps("[5,50,20,100]")).allowed,
        /strictly increasing/,
      ));
    it("a step above 100 or below 1", () => {
      assert.equal(
        problemFor("canary.steps[1]", "prod", steps("[5,120]")).allowed,
        "an integer from 1 to 100",
      );
      assert.equal(
        problemFor("canary.steps[0]", "prod", steps("[0,100]")).allowed,
        "an integer from 1 to 100",
      );
    });
    it("a missing final 100", () =>
      assert.match(problemFor("canary.steps", "prod", steps("[5,20,50]")).allowed, /ending with 100/));
    it("a pause that is not a duration", () =>
      assert.match(problemFor("canary.pause", "prod", "canary.pause=5 minutes").allowed, /duration/));
    it("Prometheus without an address", () =>
      assert.match(
        problemFor("canary.prometheusAddress", "prod", "canary.metricsProvider=prometheus").allowed,
        /Prometheus URL/,
      ));
  });
});
