import { strict as assert } from "assert";
import { comparePlans } from "../../plan/compare";
import { planOf, STACKS } from "../helpers/plans";

describe("plan --compare: what a config change would change", () => {
  for (const stack of STACKS) {
    it(`${stack}: evaluating the same config twice changes nothing (placeholders are deterministic)`, async () => {
      const again = await planOf(stack, "appLogLevel=" + (stack === "dev" ? "DEBUG" : "INFO"));
      assert.deepEqual(comparePlans(await planOf(stack), again).changes, []);
    });
  }

  it("a new setting is a create, removing it a delete, changing it an update of one path", async () => {
    const flag =
      'featureFlags.beta-search={"description":"Search v2","type":"experiment","enabled":true,"rolloutPercentage":10,"stickiness":"userId"}';
    const created = comparePlans(await planOf("staging"), await planOf("staging", flag)).changes;
    assert.deepEqual(
      created.map((change) => [change.op, change.type, change.name]),
      [["create", "pulumi-nodejs:dynamic/unleash:FeatureFlag", "ams-flags-flag-beta-search"]],
    );
    const deleted = comparePlans(await planOf("staging", flag), await planOf("staging")).changes;
    assert.deepEqual(
      deleted.map((change) => change.op),
      ["delete"],
    );
    const updated = comparePlans(
      await planOf("staging"),
      await planOf("staging", "appLogLevel=WARN"),
    ).changes;
    assert.deepEqual(
      updated.map((change) => [change.op, change.name, change.paths]),
      [["update", "ams-config-logging-level-root", ["insecureValue"]]],
    );
  });

  it("option changes are reported under options.*", async () => {
    const prod = await planOf("prod");
    const asDev = await planOf("prod", "environment=dev");
    const namespace = comparePlans(prod, asDev).changes.find(
      (change) => change.type === "kubernetes:core/v1:Namespace",
    );
    assert.ok(namespace?.paths.includes("options.protect"), JSON.stringify(namespace));
  });
});
