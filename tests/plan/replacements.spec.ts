import { strict as assert } from "assert";
import { comparePlans } from "../../plan/compare";
import { findResources, Plan } from "../../plan/plan";
import { planOf } from "../helpers/plans";

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** The plan with one Helm release's inputs changed. */
function withRelease(plan: Plan, name: string, change: (inputs: Record<string, unknown>) => void): Plan {
  const copy = structuredClone(plan);
  const release = copy.resources.find((resource) => resource.type === HELM_RELEASE && resource.name === name);
  assert.ok(release, `no Helm release ${name}`);
  change(release.inputs);
  return copy;
}

describe("plan: a Helm release replaces as the provider's Diff decides (helm_release.go)", function () {
  this.timeout(60_000);

  it("a new release name or namespace is a replace; new values are an update", async () => {
    const plan = await planOf("dev");
    const [release] = findResources(plan, HELM_RELEASE);
    assert.ok(release, "the dev plan installs add-ons with Helm");
    const opsOf = (changed: Plan) =>
      comparePlans(plan, changed).changes.map((change) => [change.op, change.replaceOn ?? []]);

    assert.deepEqual(
      opsOf(withRelease(plan, release.name, (inputs) => (inputs.name = `${String(inputs.name)}-2`))),
      [["replace", ["name"]]],
    );
    assert.deepEqual(opsOf(withRelease(plan, release.name, (inputs) => (inputs.namespace = "elsewhere"))), [
      ["replace", ["namespace"]],
    ]);
    assert.deepEqual(
      opsOf(withRelease(plan, release.name, (inputs) => (inputs.values = { replicaCount: 3 }))).map(
        ([op]) => op,
      ),
      ["update"],
    );
  });
});
