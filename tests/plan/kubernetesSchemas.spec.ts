import { strict as assert } from "assert";
import { validateKubernetesObject, typeTokenToApi } from "../helpers/kubernetesSchemas";
import { kubernetesObjects } from "../../plan/plan";
import { planOf, STACKS } from "../helpers/plans";

describe("every Kubernetes object validates against the official schemas (kubernetes-models)", () => {
  for (const stack of STACKS) {
    it(`stack ${stack}`, async () => {
      const objects = kubernetesObjects(await planOf(stack));
      assert.ok(objects.length > 0);
      for (const resource of objects) {
        assert.deepEqual(
          { apiVersion: resource.inputs.apiVersion, kind: resource.inputs.kind },
          typeTokenToApi(resource.type),
          resource.urn,
        );
        await validateKubernetesObject(resource.inputs);
      }
    });
  }

  it("the validator is real: a malformed object is rejected", async () => {
    const quota = (await planOf("dev")).resources.find((r) => r.type === "kubernetes:core/v1:ResourceQuota");
    assert.ok(quota);
    const broken = { ...quota.inputs, spec: { hard: { pods: { count: 5 } } } };
    await assert.rejects(validateKubernetesObject(broken), /spec\/hard\/pods/);
  });
});
