import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { kubernetesObjects, Plan } from "../../plan/plan";
import { PROJECT_DIR } from "../../tools/cli/project";
import { PLACEHOLDER_NOTICE } from "../../plan/render";
import { runPlanCli, STACK_TRACE_LINE } from "../helpers/cli";
import { validateKubernetesObject } from "../helpers/kubernetesSchemas";

describe("npm run plan (the command), as a process", function () {
  this.timeout(60_000);

  it("prints the dev plan as a tree, saying plainly that computed values are placeholders", () => {
    const result = runPlanCli("--stack", "dev");
    assert.equal(result.status, 0, result.stderr);
    assert.ok(result.stdout.includes(PLACEHOLDER_NOTICE));
    assert.match(result.stdout, /pulumi preview/);
    assert.match(result.stdout, /^pulumi:pulumi:Stack {2}ams-dev$/m);
    assert.match(result.stdout, /└─ kubernetes:core\/v1:ResourceQuota {2}ams-namespace-quota/);
  });

  it("--stack prod --json prints one JSON document matching the contract, and --out writes valid YAML", async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-plan-"));
    const result = runPlanCli("--stack", "prod", "--json", "--out", outDir);
    assert.equal(result.status, 0, result.stderr);
    const plan = JSON.parse(result.stdout) as Plan;
    assert.deepEqual(Object.keys(plan), ["project", "stack", "resources", "outputs"]);
    assert.equal(plan.stack, "prod");

    const files = fs.readdirSync(outDir).sort();
    const kubernetesResources = kubernetesObjects(plan);
    assert.equal(files.length, kubernetesResources.length);
    for (const file of files) {
      const documents = YAML.parseAllDocuments(fs.readFileSync(path.join(outDir, file), "utf8"));
      assert.equal(documents.length, 1, file);
      await validateKubernetesObject(documents[0].toJS() as Record<string, unknown>);
    }
    assert.ok(
      files.some((file) => /-namespace-ams-prod\.yaml$/.test(file)),
      files.join(", "),
    );
  });

  it("through npm, exactly as documented, --json is still one valid JSON document", () => {
    const result = spawnSync("npm", ["run", "plan", "--", "--stack", "prod", "--json"], {
      cwd: PROJECT_DIR,
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as Plan).stack, "prod");
  });

  it("a real process exits 2 on invalid config, with the message on stderr and nothing on stdout", () => {
    const result = runPlanCli("--stack", "prod", "--set", "activeColor=purple");
    assert.equal(result.status, 2);
    assert.match(result.stderr, /activeColor is "purple"/);
    assert.doesNotMatch(result.stderr, STACK_TRACE_LINE);
    assert.equal(result.stdout, "");
  });
});
