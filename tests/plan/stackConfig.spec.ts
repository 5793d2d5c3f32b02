import { strict as assert } from "assert";
import { buildProgramConfig, SECURE_PLACEHOLDER } from "../../plan/stackConfig";

describe("stack config assembly (what the Pulumi CLI would hand the program)", () => {
  const project = {
    name: "ams",
    config: {
      activeColor: { type: "string" as const, default: "blue" },
      api: { default: { minReplicas: 1, maxReplicas: 2 } },
      token: { type: "string" as const, secret: true },
    },
  };
  it("applies Pulumi.yaml defaults, then the stack file key by key, as strings", () => {
    const config = buildProgramConfig(
      project,
      { "ams:api": { minReplicas: 3, maxReplicas: 6 }, "aws:region": "ap-northeast-2" },
      [],
    );
    assert.deepEqual(config.values, {
      "ams:activeColor": "blue",
      "ams:api": '{"minReplicas":3,"maxReplicas":6}',
      "aws:region": "ap-northeast-2",
    });
    assert.deepEqual(config.secretKeys, ["ams:token"]);
  });
  it("a dotted override sets one field inside the effective structured value", () => {
    const config = buildProgramConfig(project, {}, [{ key: "api.maxReplicas", value: "5" }]);
    assert.equal(config.values["ams:api"], '{"minReplicas":1,"maxReplicas":5}');
  });
  it("a secure stack value becomes a secret placeholder", () => {
    const config = buildProgramConfig(project, { "ams:other": { secure: "v1:abc" } }, []);
    assert.equal(config.values["ams:other"], SECURE_PLACEHOLDER);
    assert.ok(config.secretKeys.includes("ams:other"));
  });
});
