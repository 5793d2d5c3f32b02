import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../tools/cli/project";
import { comparePlans, namedPath } from "../../plan/compare";
import { planCommand } from "../../plan/command";
import { findResource, Plan } from "../../plan/plan";
import { renderComparisonText, renderPlanText } from "../../plan/render";
import { replacingPaths } from "../../plan/replacements";
import { planWarnings, runPlan } from "../../plan/runPlan";
import { compareVersionTags } from "../../plan/warnings";
import { checkFlipPreview } from "../../tools/cutover/updateOutcome";
import { EXIT } from "../../tools/cli/exitCodes";
import { parseOverride } from "../../plan/stackConfig";
import { planAfter, planOf, runExclusive, STACKS } from "../helpers/plans";

/** `npm run plan -- <args>` in this process, on the plans this process already has. */
async function plan(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let [stdout, stderr] = ["", ""];
  const status = await planCommand(
    args,
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
    (request) => {
      const text = (list: typeof request.overrides) => (list ?? []).map((o) => `${o.key}=${o.value}`);
      const deployed = text(request.deployed);
      return planAfter(request.stack, deployed, text(request.overrides).slice(deployed.length));
    },
  );
  return { status, stdout, stderr };
}

describe("a plan a newcomer can read", function () {
  this.timeout(180_000);

  describe("replace is its own op, decided as the Kubernetes provider decides it", () => {
    it("a new version replaces the version-named Jobs and updates the Deployments, in text and JSON", async () => {
      const [before, after] = await Promise.all([planOf("prod"), planOf("prod", "greenVersion=1.5.0")]);
      const changes = comparePlans(before, after).changes;
      const ops = Object.fromEntries(changes.map((change) => [change.name, change.op]));
      assert.deepEqual(ops, {
        "ams-release-migrate-green": "replace",
        "ams-release-api-smoke-green": "replace",
        "ams-release-api-green": "update",
        "ams-release-worker-green": "update",
      });
      const migrate = changes.find((change) => change.name === "ams-release-migrate-green");
      assert.ok(migrate?.replaceOn?.includes("metadata.name"));
      const text = renderComparisonText({ changes }, before, after, "test");
      assert.match(text, /^\+- replace kubernetes:batch\/v1:Job {2}ams-release-migrate-green$/m);
      assert.match(text, /^4 resources change: 0 create, 2 update, 2 replace, 0 delete\.$/m);
      assert.match(text, /^ {4}kubernetes:batch\/v1:Job {8}2 replace$/m);
    });

    it("a flip updates the consume switches in place: the cluster's provider makes ConfigMaps mutable", async () => {
      const [before, after] = await Promise.all([planOf("prod"), planOf("prod", "activeColor=green")]);
      const switches = comparePlans(before, after).changes.filter(
        (c) => c.type === "kubernetes:core/v1:ConfigMap",
      );
      assert.deepEqual(
        switches.map((change) => change.op),
        ["update", "update"],
      );
      // Without enableConfigMapMutable on its provider, the same data change is a replace.
      const configMap = findResource(
        after,
        "kubernetes:core/v1:ConfigMap",
        "ams-release-worker-switch-green",
      );
      const immutable: Plan = {
        ...after,
        resources: after.resources.map((resource) =>
          resource.urn === configMap.provider
            ? { ...resource, inputs: { ...resource.inputs, enableConfigMapMutable: undefined } }
            : resource,
        ),
      };
      assert.deepEqual(replacingPaths(configMap, ["data.ams.queue.consumers.enabled"], immutable), [
        "data.ams.queue.consumers.enabled",
      ]);
      assert.deepEqual(replacingPaths(configMap, ["data.ams.queue.consumers.enabled"], after), []);
    });

    it("the cut-over accepts the engine's three steps of one expected replace, and only for it", () => {
      const urn =
        "urn:pulumi:prod::ams::ams:delivery:BlueGreenRelease$kubernetes:batch/v1:Job::ams-release-migrate-green";
      const steps = ["create-replacement", "replace", "delete-replaced"].map((op) => ({ urn, op }));
      assert.deepEqual(checkFlipPreview(steps, [{ urn, op: "replace" }]), { unexpected: [], absent: [] });
      assert.equal(checkFlipPreview(steps, [{ urn, op: "update" }]).unexpected.length, 3);
    });
  });

  describe("paths and values a reader does not have to decode", () => {
    it("list elements with a name are named: containers[api].env[AMS_VERSION]", async () => {
      const result = await plan("--stack", "prod", "--compare", "greenVersion=1.5.0");
      assert.equal(result.status, EXIT.ok, result.stderr);
      assert.match(
        result.stdout,
        /spec\.template\.spec\.containers\[api\]\.env\[AMS_VERSION\]\.value: "1\.3\.2" → "1\.5\.0"/,
      );
      assert.doesNotMatch(result.stdout, /env\[\d+\]/);
      const pod = { containers: [{ name: "api", env: [{ name: "A" }, { name: "B", value: "1" }] }] };
      assert.equal(namedPath(pod, pod, "containers[0].env[1].value"), "containers[api].env[B].value");
      const renamed = { containers: [{ name: "api", env: [{ name: "A" }, { name: "C", value: "1" }] }] };
      assert.equal(namedPath(pod, renamed, "containers[0].env[1].name"), "containers[api].env[1].name");
    });

    it("a JSON annotation is compared field by field, not as two escaped blobs", async () => {
      const result = await plan("--stack", "prod", "--compare", "previewWeight=10");
      assert.match(
        result.stdout,
        /actions\.api-weighted \(JSON, 2 fields differ\):\n {8}forwardConfig\.targetGroups\[ams-api-blue\]\.weight: 100 → 90\n/,
      );
      assert.doesNotMatch(result.stdout, /\\"/);
    });

    it("every stack's plan has no line longer than 400 characters: JSON documents are pretty-printed", async () => {
      for (const stack of STACKS) {
        const lines = renderPlanText(await planOf(stack)).split("\n");
        const longest = Math.max(...lines.map((line) => line.length));
        assert.ok(longest <= 400, `${stack}: a line of ${longest} characters`);
      }
    });

    it("one placeholder account id in every plan: the stack files' and the mocks' are the same", async () => {
      for (const stack of STACKS) {
        const ids = new Set(
          JSON.stringify(await planOf(stack)).match(
            /(?<=arn:aws:[a-z0-9-]+:[a-z0-9-]*:)\d{12}(?=:)|\d{12}(?=\.dkr\.ecr)/g,
          ),
        );
        assert.equal(ids.size, 1, `${stack}: ${[...ids].join(", ")}`);
      }
    });
  });

  describe("one resource or one type, and a summary per type", () => {
    it("--type Job shows only the Jobs (full type or kind), --resource one resource; no match exits 2", async () => {
      const jobs = await plan("--stack", "dev", "--type", "Job");
      assert.equal(jobs.status, EXIT.ok, jobs.stderr);
      const headers = jobs.stdout.split("\n").filter((line) => /^\S+:\S+ {2}\S/.test(line));
      assert.ok(
        headers.length > 1 && headers.every((line) => line.startsWith("kubernetes:batch/v1:Job  ")),
        headers.join("\n"),
      );
      assert.match(jobs.stdout, /^Plan of ams\/dev: \d+ of \d+ resources \(--type Job\)\.$/m);
      const one = JSON.parse(
        (await plan("--stack", "dev", "--resource", "ams-release-api-stable", "--json")).stdout,
      ) as Plan;
      assert.deepEqual(
        one.resources.map((resource) => resource.name),
        ["ams-release-api-stable"],
      );
      const none = await plan("--stack", "dev", "--type", "Jbo");
      assert.equal(none.status, EXIT.usage);
      assert.match(
        none.stderr,
        /No resource of ams\/dev matches --type Jbo; allowed: .*kubernetes:batch\/v1:Job/,
      );
    });

    it("the plan ends with how many resources of each type it declares", async () => {
      const dev = await planOf("dev");
      const text = renderPlanText(dev);
      const deployments = dev.resources.filter(
        (resource) => resource.type === "kubernetes:apps/v1:Deployment",
      ).length;
      assert.match(text, new RegExp(`^ +${deployments} {2}kubernetes:apps/v1:Deployment$`, "m"));
    });
  });

  describe("hazards a flip preview must not hide", () => {
    it("prod as committed would move traffic from 1.4.0 down to 1.3.2: the compare warns, text and JSON", async () => {
      const text = await plan("--stack", "prod", "--compare", "activeColor=green");
      assert.match(text.stdout, /^Warning: live traffic moves from 1\.4\.0 to 1\.3\.2, a lower version\./m);
      const json = JSON.parse(
        (await plan("--stack", "prod", "--compare", "activeColor=green", "--json")).stdout,
      ) as {
        warnings: string[];
      };
      assert.equal(json.warnings.length, 1);
      const release = await plan(
        "--stack",
        "prod",
        "--deployed",
        "greenVersion=1.5.0",
        "--compare",
        "activeColor=green",
      );
      assert.doesNotMatch(release.stdout, /Warning/);
      assert.ok(compareVersionTags("1.10.0", "1.9.2") > 0 && compareVersionTags("latest", "1.0.0") === 0);
    });

    it("a rollback after a flip can be previewed: --deployed the flip, --compare the way back", async () => {
      const result = await plan(
        "--stack",
        "prod",
        "--deployed",
        "activeColor=green",
        "--compare",
        "activeColor=blue",
      );
      assert.equal(result.status, EXIT.ok, result.stderr);
      assert.match(result.stdout, /activeColor: "green" → "blue"/);
      assert.match(result.stdout, /spec\.selector\.ams\.io\/color: "green" → "blue"/);
    });

    it("the program's warnings stay with the plan (stderr in the CLI), not in the spec output", async () => {
      const switching = await planOf("staging", "strategy=rolling");
      assert.ok(
        planWarnings(switching).some((warning) =>
          /^strategy changes from blueGreen to rolling/.test(warning),
        ),
      );
      const result = await plan("--stack", "staging", "--compare", "strategy=rolling", "--json");
      assert.match(result.stderr, /^warning: strategy changes from blueGreen to rolling/m);
      JSON.parse(result.stdout);
    });
  });

  describe("config errors that say what is really wrong", () => {
    const error = async (...set: string[]) => {
      const result = await plan("--stack", "dev", ...set.flatMap((value) => ["--set", value]));
      assert.equal(result.status, EXIT.usage, result.stdout);
      return result.stderr;
    };

    it("a --set typo is a command-line typo with a did-you-mean; a stack-file one names the file", async () => {
      assert.match(
        await error("activeColr=green"),
        /activeColr is given on the command line \(--set or --compare\); allowed: a key this program reads \(did you mean activeColor\?\)/,
      );
    });

    it("a key declared in Pulumi.yaml that nothing reads says so, and lists the steps that make a key real", async () => {
      // The README's first step alone: the key declared in a copy of the project, no stack sets it.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-new-key-"));
      const project = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8");
      fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        project.replace(
          /^config:\n/m,
          "config:\n  brandNewKey:\n    type: string\n    description: new\n    default: x\n",
        ),
      );
      fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), path.join(dir, "Pulumi.dev.yaml"));
      await assert.rejects(
        runExclusive(() => runPlan({ stack: "dev", projectDir: dir })),
        (err: Error) => {
          assert.match(
            err.message,
            /brandNewKey is declared in Pulumi\.yaml, but nothing in config\/ reads it; allowed: a declared key with a reader in config\/ .*a spec and a line in docs\/change-log\.md/,
          );
          assert.doesNotMatch(err.message, /set in the stack config/);
          return true;
        },
      );
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("nested fields get a did-you-mean; enums name the value that differs only in case; lists show their form", async () => {
      assert.match(
        await error("api.maxReplica=3"),
        /api\.maxReplica is 3; allowed: only the fields .* \(did you mean api\.maxReplicas\?\)/,
      );
      assert.match(
        await error("appLogLevel=warn"),
        /appLogLevel is "warn"; allowed: one of TRACE, DEBUG, INFO, WARN, ERROR \(values are case-sensitive: did you mean WARN\?\)/,
      );
      assert.match(
        await error("clusterPublicAccessCidrs=10.0.0.0/8"),
        /clusterPublicAccessCidrs is "10\.0\.0\.0\/8"; allowed: a list of .*--set clusterPublicAccessCidrs='\["<item>", …\]'/,
      );
    });
  });
});

// The plan runner used above must be the real one for keys it has never seen; a sanity check that the in-process
// CLI and a direct run agree on a config error.
describe("a plan a newcomer can read: the CLI and the engine agree", function () {
  this.timeout(60_000);
  it("an unknown --set key fails the run itself, before any resource", async () => {
    await assert.rejects(
      runExclusive(() => runPlan({ stack: "dev", overrides: [parseOverride("nosuchKey=1", "--set")] })),
      /nosuchKey is given on the command line/,
    );
  });
});
