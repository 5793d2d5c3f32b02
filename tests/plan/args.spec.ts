import { strict as assert } from "assert";
import { parsePlanArgs } from "../../plan/args";

describe("plan arguments", () => {
  it("parses repeatable --set and --compare in order and defaults to the dev stack", () => {
    const args = parsePlanArgs([
      "--set",
      "a=1",
      "--compare",
      "activeColor=green",
      "--set",
      "b.c=x=y",
      "--json",
    ]);
    assert.equal(args.stack, "dev");
    assert.deepEqual(args.overrides, [
      { key: "a", value: "1" },
      { key: "b.c", value: "x=y" },
    ]);
    assert.deepEqual(args.compare, [{ key: "activeColor", value: "green" }]);
    assert.equal(args.json, true);
  });
  it("refuses config paths that would reach into JavaScript's object prototype", () => {
    for (const text of ["api.__proto__.polluted=1", "__proto__=1", "api.constructor.prototype=1"]) {
      assert.throws(() => parsePlanArgs(["--set", text]), /is not key=value/, text);
    }
  });
  it("rejects unknown flags and a flag without its value", () => {
    assert.throws(() => parsePlanArgs(["--stak", "dev"]), /Unknown flag "--stak"/);
    assert.throws(() => parsePlanArgs(["--stack"]), /--stack needs a value/);
  });
});
