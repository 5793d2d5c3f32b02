import { strict as assert } from "assert";
import { findResource } from "../../../../plan/plan";
import { runPlanInProcess, STACK_TRACE_LINE } from "../../../helpers/cli";
import { parseStack, problemFor } from "../../../helpers/config";
import { planOf } from "../../../helpers/plans";

const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";

const previewConditions = async (stack: string, ...overrides: string[]) =>
  JSON.parse(
    (
      findResource(await planOf(stack, ...overrides), INGRESS, "ams-release-api-public").inputs.metadata as {
        annotations: Record<string, string>;
      }
    ).annotations["alb.ingress.kubernetes.io/conditions.api-preview"],
  ) as { field: string; sourceIPConfig?: { values: string[] } }[];

describe("the preview route (unreleased code) is not open to the internet in prod", () => {
  it("prod and staging answer the preview only from their configured sources (the ALB rule's source-ip)", async () => {
    for (const stack of ["prod", "staging"]) {
      const sources = parseStack(stack).delivery.previewRoute.sourceCidrs;
      assert.ok(sources.length > 0, stack);
      const conditions = await previewConditions(stack);
      assert.deepEqual(
        conditions.map((c) => c.field),
        ["http-header", "source-ip"],
      );
      assert.deepEqual(conditions[1].sourceIPConfig?.values, sources);
    }
  });

  it("dev keeps it open unless configured", async () => {
    assert.deepEqual(
      (await previewConditions("dev")).map((c) => c.field),
      ["http-header"],
    );
    const restricted = await previewConditions("dev", 'previewSourceCidrs=["198.51.100.0/24"]');
    assert.deepEqual(restricted[1], { field: "source-ip", sourceIPConfig: { values: ["198.51.100.0/24"] } });
  });

  describe("bad values are refused before anything is registered, naming the key", () => {
    it("an empty list in prod", () =>
      assert.match(
        problemFor("previewSourceCidrs", "prod", "previewSourceCidrs=[]").allowed,
        /at least one CIDR in prod/,
      ));
    it("more CIDRs than an ALB rule has room for", () =>
      assert.match(
        problemFor(
          "previewSourceCidrs",
          "staging",
          'previewSourceCidrs=["10.0.0.0/8","172.16.0.0/12","192.168.0.0/16"]',
        ).allowed,
        /at most 2 CIDRs/,
      ));
    it("something that is not an IPv4 CIDR", () =>
      assert.equal(
        problemFor("previewSourceCidrs[0]", "dev", 'previewSourceCidrs=["vpn.example.com"]').allowed,
        'an IPv4 CIDR such as "203.0.113.0/24"',
      ));
    it("the plan CLI exits 2 with one paragraph", async () => {
      const result = await runPlanInProcess("--stack", "prod", "--set", "previewSourceCidrs=[]");
      assert.equal(result.status, 2);
      assert.match(result.stderr, /previewSourceCidrs is \[\]; allowed: at least one CIDR in prod/);
      assert.doesNotMatch(result.stderr, STACK_TRACE_LINE);
    });
  });
});
