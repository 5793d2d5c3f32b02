import { strict as assert } from "assert";
import { Plan, PlannedResource } from "../../plan/plan";
import { checkPolicies } from "../../plan/policyCheck";
import { planOf } from "../helpers/plans";

const FLAG = "pulumi-nodejs:dynamic/unleash:FeatureFlag";

describe("policy pack: feature flags", function () {
  this.timeout(60_000);
  function variant(
    plan: Plan,
    type: string,
    name: string,
    change: (resource: PlannedResource) => void,
  ): Plan {
    const copy = structuredClone(plan) as Plan;
    const resource = copy.resources.find((r) => r.type === type && r.name === name);
    if (!resource) throw new Error(`no ${type} ${name}`);
    change(resource);
    return copy;
  }
  const firing = async (plan: Plan, policy: string) =>
    (await checkPolicies(plan)).filter((v) => v.policy === policy).map((v) => v.message);

  it("ams-flag-exposure-steps refuses a prod release flag that jumps, or carries no guard", async () => {
    const plan = await planOf("prod");
    assert.deepEqual(await firing(plan, "ams-flag-exposure-steps"), []);
    const jump = variant(
      plan,
      FLAG,
      "ams-flags-flag-new-checkout",
      (r) => (r.inputs.rolloutPercentage = 100),
    );
    assert.deepEqual(await firing(jump, "ams-flag-exposure-steps"), [
      "ams-flags-flag-new-checkout: exposure 5 % → 100 % jumps past a step; allowed up to 20 % in one update (steps 5 → 20 → 50 → 100)",
    ]);
    const unguarded = variant(
      plan,
      FLAG,
      "ams-flags-flag-new-checkout",
      (r) => delete r.inputs.exposureGuard,
    );
    assert.equal((await firing(unguarded, "ams-flag-exposure-steps")).length, 1);
    const down = variant(plan, FLAG, "ams-flags-flag-new-checkout", (r) => (r.inputs.enabled = false));
    assert.deepEqual(await firing(down, "ams-flag-exposure-steps"), []);
    // Not prod: not this policy's business.
    const staging = await planOf("staging");
    const stagingJump = variant(
      staging,
      FLAG,
      "ams-flags-flag-new-checkout",
      (r) => (r.inputs.rolloutPercentage = 100),
    );
    assert.deepEqual(await firing(stagingJump, "ams-flag-exposure-steps"), []);
  });

  it("ams-unleash-authenticated refuses an anonymous Unleash, a default admin password, or plain HTTP", async () => {
    const plan = await planOf("dev");
    assert.deepEqual(await firing(plan, "ams-unleash-authenticated"), []);
    const release = (change: (values: Record<string, unknown>) => void) =>
      variant(plan, "kubernetes:helm.sh/v3:Release", "ams-flags-unleash-release", (r) =>
        change(r.inputs.values as Record<string, unknown>),
      );
    const anonymous = release((values) => {
      const env = values.env as { name: string; value: string }[];
      env.find((variable) => variable.name === "AUTH_TYPE")!.value = "none";
    });
    assert.match((await firing(anonymous, "ams-unleash-authenticated")).join(), /AUTH_TYPE is "none"/);
    const defaultPassword = release((values) => (values.existingSecrets = []));
    assert.match((await firing(defaultPassword, "ams-unleash-authenticated")).join(), /unleash4all/);
    const plainHttp = variant(
      plan,
      "kubernetes:networking.k8s.io/v1:Ingress",
      "ams-flags-unleash-ingress",
      (r) => {
        const metadata = r.inputs.metadata as { annotations: Record<string, string> };
        metadata.annotations["alb.ingress.kubernetes.io/listen-ports"] = '[{"HTTP":80},{"HTTPS":443}]';
      },
    );
    assert.match((await firing(plainHttp, "ams-unleash-authenticated")).join(), /HTTPS 443 only/);
  });
});
