import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { comparePlans } from "../../plan/compare";
import { findResource } from "../../plan/plan";
import { PROJECT_DIR } from "../../tools/cli/project";
import { kubernetesManifests, manifestYaml, renderPlanText } from "../../plan/render";
import { runPlan } from "../../plan/runPlan";
import { maskInputs, wireSecret } from "../../plan/secrets";
import { parseOverride, SECURE_PLACEHOLDER } from "../../plan/stackConfig";
import { runPlanInProcess } from "../helpers/cli";
import { planOf, runExclusive } from "../helpers/plans";

/** A secret config value: the admin token of an existing Unleash the stack is pointed at. */
const ADMIN_TOKEN = "*:*.unleash-admin-token-0d3c7e1b9a";
const EXTERNAL_UNLEASH = [
  "featureFlagService.mode=external",
  "featureFlagService.host=",
  "featureFlagService.url=https://unleash.example.com",
];
const DYNAMIC = /^pulumi-nodejs:dynamic\/unleash:/;

/** Every form the plan can take: JSON, the text tree and the YAML manifests. */
function everyRendering(plan: Awaited<ReturnType<typeof runPlan>>): string {
  return [JSON.stringify(plan), renderPlanText(plan), ...kubernetesManifests(plan).map(manifestYaml)].join(
    "\n",
  );
}

describe("secrets never appear in the plan", function () {
  this.timeout(60_000);

  it("a secret config value reaches the resources that use it as [secret] and nowhere in plain text", async () => {
    const plan = await planOf("prod", ...EXTERNAL_UNLEASH, `featureFlagAdminToken=${ADMIN_TOKEN}`);
    const users = plan.resources.filter((resource) => DYNAMIC.test(resource.type));
    assert.ok(users.length >= 2);
    for (const resource of users) assert.equal(resource.inputs.adminToken, "[secret]", resource.urn);
    // The client token it creates reaches Secrets Manager as a secret too.
    const version = findResource(
      plan,
      "aws:secretsmanager/secretVersion:SecretVersion",
      "ams-secrets-current",
    );
    assert.equal(version.inputs.secretString, "[secret]");
    assert.ok(!everyRendering(plan).includes(ADMIN_TOKEN));
    assert.ok(!everyRendering(plan).includes("unleash-admin-token"));
  });

  it("the command's text, JSON and YAML output never contain it either", async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-secret-"));
    for (const format of [[], ["--json"]]) {
      const result = await runPlanInProcess(
        "--stack",
        "dev",
        ...EXTERNAL_UNLEASH.flatMap((override) => ["--set", override]),
        "--set",
        `featureFlagAdminToken=${ADMIN_TOKEN}`,
        "--out",
        outDir,
        ...format,
      );
      assert.equal(result.status, 0, result.stderr);
      assert.ok(!result.stdout.includes(ADMIN_TOKEN) && !result.stderr.includes(ADMIN_TOKEN));
    }
    for (const file of fs.readdirSync(outDir)) {
      assert.ok(!fs.readFileSync(path.join(outDir, file), "utf8").includes(ADMIN_TOKEN), file);
    }
  });

  it("a `secure:` value in a stack file is read as a secret placeholder and masked", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-secure-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const stackFile = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8");
    fs.writeFileSync(
      path.join(dir, "Pulumi.dev.yaml"),
      `${stackFile}\n  ams:featureFlagAdminToken:\n    secure: v1:c2VjcmV0LWNpcGhlcnRleHQ=\n`,
    );
    const plan = await runExclusive(() =>
      runPlan({
        stack: "dev",
        projectDir: dir,
        overrides: EXTERNAL_UNLEASH.map((text) => parseOverride(text, "--set")),
      }),
    );
    const flag = findResource(
      plan,
      "pulumi-nodejs:dynamic/unleash:FeatureFlag",
      "ams-flags-flag-new-checkout",
    );
    assert.equal(flag.inputs.adminToken, "[secret]");
    assert.ok(!everyRendering(plan).includes(SECURE_PLACEHOLDER));
    assert.ok(!everyRendering(plan).includes("c2VjcmV0"));
  });

  it("--compare still sees a secret change behind the mask, without showing either value", async () => {
    const before = await planOf("prod", ...EXTERNAL_UNLEASH, "featureFlagAdminToken=first-token-value");
    const after = await planOf("prod", ...EXTERNAL_UNLEASH, "featureFlagAdminToken=second-token-value");
    const changes = comparePlans(before, after).changes;
    assert.ok(changes.length >= 2);
    for (const change of changes) {
      assert.match(change.type, DYNAMIC);
      assert.deepEqual(change.paths, ["adminToken"]);
    }
    assert.ok(!JSON.stringify(changes).includes("token-value"));
    assert.deepEqual(
      comparePlans(
        before,
        await planOf("prod", ...EXTERNAL_UNLEASH, "featureFlagAdminToken=first-token-value"),
      ).changes,
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

    it("a secret nested in a list (one container's env value) masks the input and still shows its change", async () => {
      const withEnv = (value: string) => () =>
        runExclusive(() =>
          runPlan({
            stack: "dev",
            program: async () => {
              new k8s.batch.v1.Job("probe", {
                metadata: { name: "probe" },
                spec: {
                  template: {
                    spec: {
                      restartPolicy: "Never",
                      containers: [
                        {
                          name: "probe",
                          image: "busybox",
                          env: [
                            { name: "PLAIN", value: "visible" },
                            { name: "TOKEN", value: pulumi.secret(value) },
                          ],
                        },
                      ],
                    },
                  },
                },
              });
              return {};
            },
          }),
        );
      const first = await withEnv("nested-secret-one")();
      const job = findResource(first, "kubernetes:batch/v1:Job", "probe");
      // The whole input is secret on the wire; its keys stay, so the manifest keeps its shape.
      assert.deepEqual(job.inputs.spec, { template: "[secret]" });
      assert.ok(!everyRendering(first).includes("nested-secret-one"));
      const second = await withEnv("nested-secret-two")();
      assert.deepEqual(
        comparePlans(first, second).changes.map((change) => [change.op, change.name, change.paths]),
        [["update", "probe", ["spec"]]],
      );
    });

    it("a secret as a list element on the wire (where the SDK lifts nothing) masks its whole input", () => {
      // The SDK marks an Output list element secret in place: the envelope sits inside the array.
      const env = [{ name: "PLAIN", value: "visible" }, wireSecret({ name: "TOKEN", value: "in-a-list" })];
      const masked = maskInputs({ env, image: "busybox" }, []);
      assert.deepEqual(masked.inputs, { env: "[secret]", image: "busybox" });
      assert.deepEqual(Object.keys(masked.secretDigests), ["env"]);
      assert.ok(!JSON.stringify(masked).includes("in-a-list"));
    });
  });
});
