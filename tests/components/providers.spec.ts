import { strict as assert } from "assert";
import { planOf, STACKS } from "../helpers/plans";

/**
 * Every AWS and Kubernetes resource names its provider. A default provider would take the region and
 * credentials of whoever runs `pulumi up`, and for Kubernetes the current context of their kubeconfig: a
 * resource that slipped onto it could land in another account or another cluster.
 */
describe("providers: no AWS or Kubernetes resource uses a default provider", function () {
  this.timeout(60_000);

  for (const stack of STACKS) {
    it(`${stack}: every aws: and kubernetes: resource has the stack's explicit provider`, async () => {
      const plan = await planOf(stack);
      const providers = new Set(
        plan.resources.filter((resource) => resource.type.startsWith("pulumi:providers:")).map((r) => r.urn),
      );
      const custom = plan.resources.filter(
        (resource) => resource.custom && /^(aws|kubernetes):/.test(resource.type),
      );
      assert.ok(custom.length > 50, `${custom.length} resources`);
      assert.deepEqual(
        custom
          .filter((resource) => resource.provider === null || !providers.has(resource.provider))
          .map((r) => r.urn),
        [],
      );
    });
  }
});
