import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { findResources } from "../../plan/plan";
import { runPlan } from "../../plan/runPlan";
import { runExclusive } from "../helpers/plans";

/** A throwaway component type for harness tests. */
class Box extends pulumi.ComponentResource {
  constructor(type: string, name: string, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
  }
}

function planProgram(program: () => Promise<Record<string, unknown>>) {
  return runExclusive(() => runPlan({ stack: "dev", program }));
}

describe("offline plan harness", () => {
  it("names resources with the engine's URNs: the full chain of parent types, without the stack", async () => {
    const plan = await planProgram(async () => {
      const outer = new Box("test:x:Outer", "outer");
      const inner = new Box("test:x:Inner", "inner", { parent: outer });
      new k8s.core.v1.ConfigMap("cm", { metadata: { name: "cm" } }, { parent: inner });
      return {};
    });
    assert.deepEqual(
      plan.resources.map((resource) => resource.urn),
      [
        "urn:pulumi:dev::ams::pulumi:pulumi:Stack::ams-dev",
        "urn:pulumi:dev::ams::test:x:Outer::outer",
        "urn:pulumi:dev::ams::test:x:Outer$test:x:Inner::inner",
        "urn:pulumi:dev::ams::test:x:Outer$test:x:Inner$kubernetes:core/v1:ConfigMap::cm",
      ],
    );
    assert.equal(plan.resources[3].parent, plan.resources[2].urn);
  });

  it("allows the same type and name under different parents, as Pulumi does", async () => {
    const plan = await planProgram(async () => {
      for (const box of [new Box("test:x:A", "a"), new Box("test:x:B", "b")]) {
        new k8s.core.v1.ConfigMap("cm", { metadata: { name: "cm" } }, { parent: box });
      }
      return {};
    });
    assert.equal(findResources(plan, "kubernetes:core/v1:ConfigMap").length, 2);
  });

  it("shows a resource passed as an input as its URN, once, and records explicit providers", async () => {
    const plan = await planProgram(async () => {
      const provider = new aws.Provider("explicit", { region: "ap-northeast-2" });
      const role = new aws.iam.Role("nodes", { assumeRolePolicy: "{}" }, { provider });
      new aws.iam.RolePolicyAttachment(
        "attach",
        { role, policyArn: "arn:aws:iam::aws:policy/X" },
        { provider },
      );
      return {};
    });
    assert.equal(findResources(plan, "aws:iam/role:Role").length, 1);
    const [attachment] = findResources(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    assert.ok(typeof attachment.inputs.role === "string");
    assert.equal(attachment.provider, "urn:pulumi:dev::ams::pulumi:providers:aws::explicit");
    assert.equal(new Set(plan.resources.map((resource) => resource.urn)).size, plan.resources.length);
  });

  it("reports an invoke it cannot answer by name instead of failing silently", async () => {
    await assert.rejects(
      planProgram(async () => {
        await aws.rds.getEngineVersion({ engine: "postgres" });
        return {};
      }),
      /no answer for the invoke aws:rds\/getEngineVersion:getEngineVersion/,
    );
  });
});
