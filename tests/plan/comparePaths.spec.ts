import { strict as assert } from "assert";
import { differingPaths, valueAt } from "../../plan/compare";

describe("plan comparison paths", () => {
  it("joins keys with dots as they are, so label keys stay readable, and indexes arrays", () => {
    const before = { spec: { selector: { "ams.io/color": "blue" }, ports: [{ port: 80 }] } };
    const after = { spec: { selector: { "ams.io/color": "green" }, ports: [{ port: 8080 }] } };
    assert.deepEqual(differingPaths(before, after, ""), ["spec.ports[0].port", "spec.selector.ams.io/color"]);
    assert.equal(valueAt(after, "spec.selector.ams.io/color"), "green");
    assert.equal(valueAt(after, "spec.ports[0].port"), 8080);
  });
  it("reports an added or removed key as a difference", () => {
    assert.deepEqual(differingPaths({ a: 1 }, { a: 1, b: 2 }, "options"), ["options.b"]);
  });
});
