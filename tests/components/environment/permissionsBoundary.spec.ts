import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { requireWorkloadBoundary } from "../../../components/environment/permissionsBoundary";
import { findResource, findResources } from "../../../plan/plan";
import { planOf, runExclusive, STACKS } from "../../helpers/plans";

const ROLE = "aws:iam/role:Role";

describe("every IAM role carries the stack's workload permissions boundary", function () {
  this.timeout(120_000);

  for (const stack of STACKS) {
    it(`${stack}: every planned role has ams-${stack}-workload-boundary`, async () => {
      const plan = await planOf(stack);
      const roles = findResources(plan, ROLE);
      assert.ok(roles.length >= 5);
      for (const role of roles) {
        assert.match(
          String(role.inputs.permissionsBoundary),
          new RegExp(`^arn:aws:iam::\\d{12}:policy/ams-${stack}-workload-boundary$`),
          role.name,
        );
      }
    });

    it(`${stack}: no role is left to pulumi-eks, which the stack transformation would not reach`, async () => {
      // pulumi-eks v4.3.0 (nodejs/eks/cluster/cluster.ts) creates a ServiceRole only without `serviceRole`,
      // with `createInstanceRole` or a default node group, with Auto Mode's node role, with Fargate, or for
      // `creationRoleProvider`; a managed node group without `nodeRole`/`nodeRoleArn` cannot be created.
      const plan = await planOf(stack);
      const cluster = findResource(plan, "eks:index:Cluster", "ams-eks").inputs;
      assert.ok(cluster.serviceRole, "the program passes the cluster's service role");
      assert.equal(cluster.skipDefaultNodeGroup, true);
      for (const field of [
        "createInstanceRole",
        "instanceRole",
        "fargate",
        "autoMode",
        "creationRoleProvider",
      ])
        assert.equal(cluster[field], undefined, field);
      for (const group of findResources(plan, "eks:index:ManagedNodeGroup"))
        assert.ok(group.inputs.nodeRole ?? group.inputs.nodeRoleArn, `${group.name} brings its node role`);
    });
  }

  it("looks the account up through the stack's AWS provider, the one the roles are created with", () =>
    runExclusive(async () => {
      const calls: pulumi.runtime.MockCallArgs[] = [];
      const registered: pulumi.runtime.MockResourceArgs[] = [];
      await pulumi.runtime.setMocks(
        {
          newResource: (args) => {
            registered.push(args);
            return { id: `${args.name}-id`, state: args.inputs };
          },
          call: (args) => {
            calls.push(args);
            // The default provider's credentials would answer with another account.
            return { accountId: args.provider ? "210987654321" : "999999999999", arn: "", userId: "" };
          },
        },
        "ams",
        "dev",
        false,
        "organization",
      );
      let providerUrn = "";
      try {
        await pulumi.runtime.runInPulumiStack(async () => {
          const provider = new aws.Provider("ams-dev-aws", { region: "ap-northeast-2" });
          requireWorkloadBoundary("dev", provider);
          new aws.iam.Role("ams-data-api", { assumeRolePolicy: "{}" }, { provider });
          providerUrn = await new Promise<string>((resolve) => provider.urn.apply(resolve));
          return {};
        });
      } finally {
        await pulumi.runtime.disconnect();
      }
      const lookUps = calls.filter((call) => call.token === "aws:index/getCallerIdentity:getCallerIdentity");
      assert.equal(lookUps.length, 1);
      assert.ok(String(lookUps[0].provider).startsWith(`${providerUrn}::`), String(lookUps[0].provider));
      const role = registered.find((args) => args.type === ROLE);
      assert.equal(
        role?.inputs.permissionsBoundary,
        "arn:aws:iam::210987654321:policy/ams-dev-workload-boundary",
      );
    }));
});
