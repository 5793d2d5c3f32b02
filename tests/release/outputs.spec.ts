import { strict as assert } from "assert";
import { PREVIOUS_RELEASE_OUTPUTS, readCutoverRelease, readPreviousRelease } from "../../release/outputs";
import { describeRelease } from "../../release/state";
import { parseStack } from "../helpers/config";
import { planOf, STACKS } from "../helpers/plans";

describe("the release contract (release/outputs.ts)", function () {
  this.timeout(120_000);

  for (const stack of STACKS) {
    it(`${stack}: what index.ts writes is what every reader reads back`, async () => {
      const { outputs } = await planOf(stack);
      const declared = describeRelease(parseStack(stack).release);
      for (const name of PREVIOUS_RELEASE_OUTPUTS)
        assert.ok(name in outputs, `${name} is not a stack output`);

      const previous = readPreviousRelease(outputs);
      assert.ok(previous.ok, previous.ok ? "" : previous.problems.join("; "));
      assert.equal(previous.release.strategy, declared.strategy);
      assert.equal(previous.release.activeColor, declared.activeColor);
      assert.equal(previous.release.activeVersion, declared.activeVersion);
      assert.equal(previous.release.idleVersion, declared.idleVersion ?? "");

      const cutover = readCutoverRelease(outputs);
      if (declared.strategy !== "blueGreen") {
        assert.equal(cutover.ok, false);
        return;
      }
      assert.ok(cutover.ok, cutover.ok ? "" : cutover.problems.join("; "));
      assert.equal(cutover.release.idleColor, declared.idleColor);
      assert.equal(cutover.release.region, outputs.region);
      assert.deepEqual(cutover.release.cutoverAlarmNames, outputs.cutoverAlarmNames);
      assert.ok(cutover.release.previewProbe.url.startsWith("https://"));
    });
  }

  it("an output that is there but not what the program writes is named, never taken on trust", () => {
    const read = readPreviousRelease({ strategy: "blueGreen", activeColor: "purple", idleVersion: 7 });
    assert.equal(read.ok, false);
    assert.deepEqual(read.ok ? [] : read.problems, [
      'output activeColor is "purple"; allowed: blue or green',
      'output idleVersion is 7; allowed: an image tag or ""',
    ]);
    // Missing outputs are a first update (or an older program), not an error.
    const first = readPreviousRelease({});
    assert.ok(first.ok && Object.values(first.release).every((value) => value === undefined));
  });
});
