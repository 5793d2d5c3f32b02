import { strict as assert } from "assert";
import { findResources } from "../../plan/plan";
import { firing, variant } from "../helpers/policyVariants";
import { planOf, STACKS } from "../helpers/plans";

const POLICY = "ams-kubernetes-configmaps-in-place";
const PROVIDER = "pulumi:providers:kubernetes";

describe("policy ams-kubernetes-configmaps-in-place: a flip never deletes a consume switch", function () {
  this.timeout(60_000);

  for (const stack of STACKS) {
    it(`${stack}: the cluster's provider updates ConfigMaps in place`, async () => {
      const plan = await planOf(stack);
      assert.ok(findResources(plan, PROVIDER).length > 0, "the plan has the cluster's Kubernetes provider");
      assert.deepEqual(await firing(plan, POLICY), []);
    });
  }

  it("refuses the provider without the setting, or with it off (as a bool or as the string the SDK sends)", async () => {
    const plan = await planOf("prod");
    const [provider] = findResources(plan, PROVIDER);
    for (const value of [undefined, false, "false"]) {
      const violating = variant(plan, PROVIDER, provider.name, (resource) => {
        resource.inputs.enableConfigMapMutable = value;
      });
      assert.deepEqual(
        (await firing(violating, POLICY)).map((message) => message.split(":")[0]),
        [provider.name],
        String(value),
      );
    }
    const asString = variant(plan, PROVIDER, provider.name, (resource) => {
      resource.inputs.enableConfigMapMutable = "true";
    });
    assert.deepEqual(await firing(asString, POLICY), []);
  });

  it("leaves alone the provider @pulumi/eks makes inside its own cluster component", async () => {
    const plan = await planOf("prod");
    const [provider] = findResources(plan, PROVIDER);
    const eksOwn = variant(
      plan,
      PROVIDER,
      provider.name,
      () => undefined,
      (resource) => [
        {
          ...resource,
          name: "ams-eks-eks-k8s",
          urn:
            resource.urn.replace(/::[^:]+$/, "").replace(PROVIDER, `eks:index:Cluster$${PROVIDER}`) +
            "::ams-eks-eks-k8s",
          inputs: { kubeconfig: "[secret]" },
        },
      ],
    );
    assert.deepEqual(await firing(eksOwn, POLICY), []);
  });
});
