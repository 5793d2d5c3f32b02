import { strict as assert } from "assert";
import { deliveryResourcePolicies, deliveryStackPolicies } from "../../policy/deliveryPolicies";
import { Plan, PlannedResource } from "../../plan/plan";
import { firing, variant } from "../helpers/policyVariants";
import { planDeployed, planOf } from "../helpers/plans";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const JOB = "kubernetes:batch/v1:Job";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const ANALYSIS = "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

const metadata = (r: PlannedResource) =>
  r.inputs.metadata as { name: string; annotations: Record<string, string>; labels: Record<string, string> };
type Metric = { successCondition: string; provider: Record<string, unknown> };
const metrics = (r: PlannedResource) => (r.inputs.spec as { metrics: Metric[] }).metrics;
const argoValues = (r: PlannedResource) =>
  r.inputs.values as {
    serviceAccount: { annotations: Record<string, string> };
    controller: { extraEnv: { name: string }[] };
  };

/** Each case: a real planned stack, and one change to one of its resources that the policy must refuse. */
const cases: {
  policy: string;
  what: string;
  plan: () => Promise<Plan>;
  type: string;
  name: string;
  change: (r: PlannedResource) => void;
}[] = [
  {
    policy: "ams-hpa-owns-replicas",
    what: "a replica count under an HPA",
    plan: () => planOf("prod"),
    type: DEPLOYMENT,
    name: "ams-release-api-blue",
    change: (r) => ((r.inputs.spec as Record<string, unknown>).replicas = 3),
  },
  {
    policy: "ams-autoscaled-workloads",
    what: "a capacity gate below the HPA floor",
    plan: () => planOf("prod"),
    type: DEPLOYMENT,
    name: "ams-release-worker-green",
    change: (r) => delete metadata(r).annotations["pulumi.com/waitFor"],
  },
  {
    policy: "ams-analysis-fails-without-data",
    what: "a success condition that passes on an empty result",
    plan: () => planDeployed("prod", "strategy=canary"),
    type: ANALYSIS,
    name: "ams-release-api-analysis",
    change: (r) => (metrics(r)[0].successCondition = "all(result[0].Values, {# <= 5})"),
  },
  {
    policy: "ams-analysis-fails-without-data",
    what: "an exact-match target group search",
    plan: () => planDeployed("prod", "strategy=canary"),
    type: ANALYSIS,
    name: "ams-release-api-analysis",
    change: (r) => {
      const provider = JSON.stringify(metrics(r)[1].provider).replace(
        "TargetGroup=k8s-amsprod-amsapica",
        'TargetGroup=\\"targetgroup/k8s-amsprod-amsapica-\\"',
      );
      metrics(r)[1].provider = JSON.parse(provider) as Record<string, unknown>;
    },
  },
  {
    policy: "ams-analysis-fails-without-data",
    what: "a Prometheus condition that errors on an empty vector",
    plan: () =>
      planDeployed(
        "prod",
        "strategy=canary",
        "canary.metricsProvider=prometheus",
        "canary.prometheusAddress=http://prometheus.monitoring:9090",
      ),
    type: ANALYSIS,
    name: "ams-release-api-analysis",
    change: (r) => (metrics(r)[0].successCondition = "result[0] <= 5"),
  },
  {
    policy: "ams-gate-jobs-rerunnable",
    what: "a migration Job a failure would wedge",
    plan: () => planOf("prod"),
    type: JOB,
    name: "ams-release-migrate-blue",
    change: (r) => delete metadata(r).annotations["pulumi.com/replaceUnready"],
  },
  {
    policy: "ams-gate-jobs-rerunnable",
    what: "a smoke Job nobody waits for",
    plan: () => planOf("prod"),
    type: JOB,
    name: "ams-release-api-smoke-blue",
    change: (r) => (metadata(r).annotations["pulumi.com/skipAwait"] = "true"),
  },
  {
    policy: "ams-gate-jobs-rerunnable",
    what: "a Job the cluster deletes by itself",
    plan: () => planOf("prod"),
    type: JOB,
    name: "ams-release-api-smoke-green",
    change: (r) => ((r.inputs.spec as Record<string, unknown>).ttlSecondsAfterFinished = 600),
  },
  {
    policy: "ams-kubernetes-names",
    what: "a Job name longer than a label",
    plan: () => planOf("prod"),
    type: JOB,
    name: "ams-release-migrate-green",
    change: (r) => (metadata(r).name = `ams-migrate-green-${"1".repeat(60)}`),
  },
  {
    policy: "ams-kubernetes-names",
    what: "a version label that is not a label value",
    plan: () => planOf("prod"),
    type: DEPLOYMENT,
    name: "ams-release-api-green",
    change: (r) => (metadata(r).labels["app.kubernetes.io/version"] = "1.5.0_"),
  },
  {
    policy: "ams-preview-restricted",
    what: "a prod preview route open to the internet",
    plan: () => planOf("prod"),
    type: INGRESS,
    name: "ams-release-api-public",
    change: (r) => {
      const key = "alb.ingress.kubernetes.io/conditions.api-preview";
      const conditions = JSON.parse(metadata(r).annotations[key]) as { field: string }[];
      metadata(r).annotations[key] = JSON.stringify(conditions.filter((c) => c.field !== "source-ip"));
    },
  },
  {
    policy: "ams-switch-alarm-elb-5xx",
    what: "a 5xx rate that misses the load balancer's own errors",
    plan: () => planOf("prod"),
    type: ALARM,
    name: "ams-release-alarms-5xx-rate",
    change: (r) =>
      (r.inputs.metricQueries = (r.inputs.metricQueries as { id: string }[]).filter(
        (q) => q.id !== "elbErrors",
      )),
  },
  {
    policy: "ams-rollouts-controller-identity",
    what: "a controller without an IRSA role",
    plan: () => planDeployed("prod", "strategy=canary"),
    type: RELEASE,
    name: "ams-addons-argo-rollouts",
    change: (r) => delete argoValues(r).serviceAccount.annotations["eks.amazonaws.com/role-arn"],
  },
  {
    policy: "ams-rollouts-controller-identity",
    what: "a controller without a region",
    plan: () => planDeployed("prod", "strategy=canary"),
    type: RELEASE,
    name: "ams-addons-argo-rollouts",
    change: (r) => (argoValues(r).controller.extraEnv = []),
  },
];

describe("delivery policies (policy/deliveryPolicies.ts): what every release keeps under the real controllers", () => {
  for (const { policy, what, plan, type, name, change } of cases) {
    it(`${policy} refuses ${what} (${name})`, async () => {
      const real = await plan();
      assert.deepEqual(await firing(real, policy), [], "the real plan passes");
      assert.ok(
        (await firing(variant(real, type, name, change), policy)).length > 0,
        "the variant is refused",
      );
    });
  }

  it("ams-unique-kubernetes-objects refuses one object declared under two URNs", async () => {
    const real = await planOf("prod");
    assert.deepEqual(await firing(real, "ams-unique-kubernetes-objects"), []);
    const copy = structuredClone(real) as Plan;
    const ingress = copy.resources.find((r) => r.type === INGRESS && r.name === "ams-release-api-public");
    if (!ingress) throw new Error("no api Ingress");
    copy.resources.push({
      ...structuredClone(ingress),
      urn: ingress.urn.replace("BlueGreenService", "Other"),
    });
    const messages = await firing(copy, "ams-unique-kubernetes-objects");
    assert.equal(messages.length, 1);
    assert.match(messages[0], /^networking\.k8s\.io\/Ingress ams-prod\/ams-api is declared by both /);
  });

  it("ams-preview-restricted holds in prod only (dev and staging may open their preview route)", async () => {
    assert.deepEqual(await firing(await planOf("dev"), "ams-preview-restricted"), []);
    assert.deepEqual(
      await firing(await planOf("staging", "previewSourceCidrs=[]"), "ams-preview-restricted"),
      [],
    );
  });

  it("every delivery policy is shown to refuse a violation", () => {
    for (const policy of [...deliveryResourcePolicies, ...deliveryStackPolicies]) {
      assert.ok(policy.description.length > 40, policy.name);
      assert.ok(
        cases.some((c) => c.policy === policy.name) || policy.name === "ams-unique-kubernetes-objects",
        policy.name,
      );
    }
  });
});
