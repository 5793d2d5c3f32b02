import { strict as assert } from "assert";
import { describeRelease } from "../../release/state";

describe("describeRelease", () => {
  const base = {
    strategy: "blueGreen" as const,
    versions: { blue: "1.4.0", green: "1.5.0" },
    idleColorPolicy: "full" as const,
  };
  it("gives the active color 100 − previewWeight and the idle color previewWeight", () => {
    const release = describeRelease({ ...base, activeColor: "green", previewWeight: 10 });
    assert.deepEqual(release.weights, { green: 90, blue: 10 });
    assert.equal(release.activeVersion, "1.5.0");
    assert.equal(release.idleColor, "blue");
    assert.equal(release.idleVersion, "1.4.0");
  });
  it("sends everything to the active color without a preview weight", () => {
    assert.deepEqual(describeRelease({ ...base, activeColor: "blue", previewWeight: 0 }).weights, {
      blue: 100,
      green: 0,
    });
  });
});
