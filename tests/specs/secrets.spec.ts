import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { comparePlans } from "../harness/compare";
import { findResource } from "../harness/plan";
import { PROJECT_DIR } from "../harness/projectFiles";
import { kubernetesManifests, manifestYaml, renderPlanText } from "../harness/render";
import { runPlan } from "../harness/runPlan";
import { SECURE_PLACEHOLDER } from "../harness/stackConfig";
import { runPlanInProcess } from "../helpers/cli";
import { planOf, runExclusive } from "../helpers/plans";

const SDK_KEY = "ff-sdk-key-0d3c7e1b9a";

/** Every form the plan can take: JSON, the text tree and the YAML manifests. */
function everyRendering(plan: Awaited<ReturnType<typeof runPlan>>): string {
  return [JSON.stringify(plan), renderPlanText(plan), ...kubernetesManifests(plan).map(manifestYaml)].join(
    "\n",
  );
}

describe("secrets never appear in the plan", function () {
  this.timeout(60_000);

  it("a secret config value reaches Secrets Manager as [secret] and nowhere in plain text", async () => {
    const plan = await planOf("prod", `featureFlagSdkKey=${SDK_KEY}`);
    const version = findResource(
      plan,
      "aws:secretsmanager/secretVersion:SecretVersion",
      "ams-secrets-current",
    );
    assert.equal(version.inputs.secretString, "[secret]");
    assert.ok(!everyRendering(plan).includes(SDK_KEY));
  });

  it("the command's text, JSON and YAML output never contain it either", async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-secret-"));
    for (const format of [[], ["--json"]]) {
      const result = await runPlanInProcess(
        "--stack",
        "dev",
        "--set",
        `featureFlagSdkKey=${SDK_KEY}`,
        "--out",
        outDir,
        ...format,
      );
      assert.equal(result.status, 0, result.stderr);
      assert.ok(!result.stdout.includes(SDK_KEY) && !result.stderr.includes(SDK_KEY));
    }
    for (const file of fs.readdirSync(outDir)) {
      assert.ok(!fs.readFileSync(path.join(outDir, file), "utf8").includes(SDK_KEY), file);
    }
  });

  it("a `secure:` value in a stack file is read as a secret placeholder and masked", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-secure-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const stackFile = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8");
    fs.writeFileSync(
      path.join(dir, "Pulumi.dev.yaml"),
      `${stackFile}\n  ams:featureFlagSdkKey:\n    secure: v1:c2VjcmV0LWNpcGhlcnRleHQ=\n`,
    );
    const plan = await runExclusive(() => runPlan({ stack: "dev", projectDir: dir }));
    const version = findResource(
      plan,
      "aws:secretsmanager/secretVersion:SecretVersion",
      "ams-secrets-current",
    );
    assert.equal(version.inputs.secretString, "[secret]");
    assert.ok(!everyRendering(plan).includes(SECURE_PLACEHOLDER));
    assert.ok(!everyRendering(plan).includes("c2VjcmV0"));
  });

  it("--compare still sees a secret change behind the mask, without showing either value", async () => {
    const before = await planOf("prod", "featureFlagSdkKey=first-key-value");
    const after = await planOf("prod", "featureFlagSdkKey=second-key-value");
    const changes = comparePlans(before, after).changes;
    assert.deepEqual(
      changes.map((change) => [change.op, change.name, change.paths]),
      [["update", "ams-secrets-current", ["secretString"]]],
    );
    assert.ok(!JSON.stringify(changes).includes("key-value"));
    assert.deepEqual(
      comparePlans(before, await planOf("prod", "featureFlagSdkKey=first-key-value")).changes,
      [],
    );
  });

  describe("the harness masks what the engine would keep secret", () => {
    it("properties a resource declares secret, secrets derived from them, and secret stack outputs", async () => {
      // A small program: a generated password (secret by the provider's declaration) flows into a
      // ConfigMap and a stack output. Neither the value nor anything built from it may surface.
      let generated = "";
      const plan = await runExclusive(() =>
        runPlan({
          stack: "dev",
          program: async () => {
            const password = new random.RandomPassword("probe", { length: 24, special: false });
            password.result.apply((value) => (generated = value));
            new k8s.core.v1.ConfigMap("probe", {
              metadata: { name: "probe" },
              data: { PASSWORD: password.result, PLAIN: "visible" },
            });
            return { password: password.result, plain: pulumi.output("visible") };
          },
        }),
      );
      assert.equal(generated.length, 24);
      const configMap = findResource(plan, "kubernetes:core/v1:ConfigMap", "probe");
      // The whole map is secret on the wire; its keys stay, so the manifest keeps its shape.
      assert.deepEqual(configMap.inputs.data, { PASSWORD: "[secret]", PLAIN: "[secret]" });
      assert.deepEqual(plan.outputs, { password: "[secret]", plain: "visible" });
      assert.ok(!everyRendering(plan).includes(generated));
    });
  });
});
