import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { withoutCreatorAdmin } from "../../components/environment/clusterAccess";
import { findResource, Plan, PlannedResource } from "../../plan/plan";
import { firing, variant } from "../helpers/policyVariants";
import { planOf, STACKS } from "../helpers/plans";

const POLICY = "ams-eks-no-creator-admin";

/**
 * The `aws:eks/cluster:Cluster` @pulumi/eks registers inside the planned `eks:index:Cluster` component, with
 * the `accessConfig` it asks for (authenticationMode from the component's args, the creator's implicit admin
 * on: nodejs/eks/cluster/cluster.ts of pulumi/pulumi-eks v4.3.0). Under mocks the remote component has no
 * children and the engine-side `transforms` do not run, so the child is built here from the real component
 * resource; `transform` is what the engine applies to it.
 */
function withEksChild(
  plan: Plan,
  transform: (props: Record<string, unknown>) => Promise<Record<string, unknown>>,
): Promise<Plan> {
  const component = findResource(plan, "eks:index:Cluster", "ams-eks");
  const props = {
    name: component.inputs.name,
    accessConfig: {
      authenticationMode: component.inputs.authenticationMode,
      bootstrapClusterCreatorAdminPermissions: true,
    },
  };
  return transform(props).then((inputs) =>
    variant(
      plan,
      "eks:index:Cluster",
      "ams-eks",
      () => undefined,
      (cluster): PlannedResource[] => [
        {
          ...cluster,
          urn: `${cluster.urn}$aws:eks/cluster:Cluster::ams-eks-eksCluster`,
          type: "aws:eks/cluster:Cluster",
          name: "ams-eks-eksCluster",
          parent: cluster.urn,
          custom: true,
          inputs,
        },
      ],
    ),
  );
}

/** The program's transform, as the engine would run it on the child. */
async function programTransform(props: Record<string, unknown>): Promise<Record<string, unknown>> {
  const result = await withoutCreatorAdmin({
    type: "aws:eks/cluster:Cluster",
    name: "ams-eks-eksCluster",
    custom: true,
    props,
    opts: {},
  } as pulumi.ResourceTransformArgs);
  return (result?.props ?? props) as Record<string, unknown>;
}

describe("EKS clusters give their creator no implicit admin (policy ams-eks-no-creator-admin)", function () {
  this.timeout(120_000);

  for (const stack of STACKS) {
    it(`${stack}: the cluster @pulumi/eks creates, after the program's transform, passes`, async () => {
      const plan = await withEksChild(await planOf(stack), programTransform);
      const cluster = findResource(plan, "aws:eks/cluster:Cluster", "ams-eks-eksCluster");
      assert.deepEqual(cluster.inputs.accessConfig, {
        authenticationMode: "API",
        bootstrapClusterCreatorAdminPermissions: false,
      });
      assert.deepEqual(await firing(plan, POLICY), []);
    });
  }

  it("refuses the cluster as @pulumi/eks asks for it (the creator's admin on), and with the field unset", async () => {
    const plan = await planOf("prod");
    const untransformed = await withEksChild(plan, async (props) => props);
    assert.deepEqual(await firing(untransformed, POLICY), [
      "ams-eks-eksCluster: accessConfig.bootstrapClusterCreatorAdminPermissions is true; it must be false (no implicit admin for the creator)",
    ]);
    const unset = await withEksChild(plan, async (props) => ({
      ...props,
      accessConfig: { authenticationMode: "API" },
    }));
    assert.equal((await firing(unset, POLICY)).length, 1);
  });
});
