import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { RELEASE_COMMIT_VARIABLE } from "../../deployments/settings";
import { withGitRepo } from "../helpers/gitRepo";
import { readWorkflow, runStep, workflowFiles, workflowParts, workflowText } from "../helpers/workflows";

/** `bash -n` of a script with each `${{ … }}` replaced by a plain word, as GitHub substitutes a value. */
function bashSyntaxError(script: string): string | undefined {
  const result = spawnSync("bash", ["-n", "-c", script.replace(/\$\{\{[\s\S]*?\}\}/g, "EXPR")], {
    encoding: "utf8",
  });
  return result.status === 0 ? undefined : result.stderr.trim();
}

describe("GitHub Actions workflows, run with bash", function () {
  this.timeout(60_000);
  const release = () => readWorkflow("release.yml");
  const job = () => Object.values(release().jobs)[0];
  const step = (pattern: RegExp) => {
    const found = job().steps.find((candidate) => pattern.test(candidate.name ?? ""));
    assert.ok(found?.run, `no step named like ${pattern}`);
    return found.run;
  };
  /** Runs a step's script as GitHub does, with `curl` and `sleep` replaced by the given stubs (no network). */
  const releaseStep = (script: string, env: Record<string, string>, stubs: Record<string, string>) =>
    runStep(script, {
      env: { GITHUB_REF_NAME: "v1.5.0", PULUMI_ACCESS_TOKEN: "token", PULUMI_ORG: "ams-team", ...env },
      stubs,
    });

  it("every `run:` script passes `bash -n` (GitHub's parser extracts them; ${{ }} read as a word)", async () => {
    const problems: string[] = [];
    for (const file of workflowFiles())
      for (const run of (await workflowParts(file, workflowText(file))).runs) {
        const error = bashSyntaxError(run.script);
        if (error !== undefined) problems.push(`${file}:${run.line} (${run.job}): ${error}`);
      }
    assert.deepEqual(problems, []);
    assert.match(bashSyntaxError('if [ "${{ matrix.stack }}" = x ]; then echo') ?? "", /syntax error/);
    assert.equal(bashSyntaxError("npm run plan -- --stack ${{ matrix.stack }}"), undefined);
  });

  it("asks Deployments for an update of exactly the tagged commit, and names it for the run's guard", () => {
    const commit = "0123456789abcdef0123456789abcdef01234567";
    const result = releaseStep(
      step(/^Start the prod update/),
      { RELEASE_COMMIT: commit },
      {
        // Records the request body and the URL, answers like the API.
        curl: `for a in "$@"; do if [ "$prev" = "--data" ]; then printf '%s' "$a" > "$STUB_DIR/body"; fi; prev="$a"; done
echo "\${@: -1}" > "$STUB_DIR/url"; echo '{"id":"d-1","version":7,"consoleUrl":"https://app.pulumi.com/d-1"}'`,
      },
    );
    assert.equal(result.status, 0, result.stderr);
    const request = JSON.parse(result.read("body"));
    assert.equal(request.operation, "update");
    assert.equal(request.inheritSettings, true);
    // `branch: null` drops the settings' branch: branch and commit exclude each other.
    assert.deepEqual(request.sourceContext, { git: { branch: null, commit } });
    assert.equal(request.operationContext.environmentVariables[RELEASE_COMMIT_VARIABLE], commit);
    assert.equal(
      result.read("url").trim(),
      "https://api.pulumi.com/api/stacks/ams-team/ams/prod/deployments",
    );
  });

  it("the job ends with the deployment: green only when it succeeded", () => {
    const wait = step(/^Wait for the prod update/);
    // The API answers `running` first, then the final status; sleep is instant.
    const answering = (final: string) => ({
      curl: `n=$(cat "$STUB_DIR/n" 2>/dev/null || echo 0); echo $((n+1)) > "$STUB_DIR/n"
if [ "$n" -lt 2 ]; then echo '{"status":"running"}'; else echo '{"status":"${final}"}'; fi`,
      sleep: "true",
    });
    assert.equal(releaseStep(wait, { DEPLOYMENT_ID: "d-1" }, answering("succeeded")).status, 0);
    for (const final of ["failed", "skipped"]) {
      const result = releaseStep(wait, { DEPLOYMENT_ID: "d-1" }, answering(final));
      assert.equal(result.status, 1, final);
      assert.match(result.stdout, new RegExp(`ended ${final}`));
    }
  });

  it("refuses a tag that is not a release or whose commit is not on main", () => {
    const script = step(/^The tag names a release/);
    withGitRepo((repo, git) => {
      git("commit", "-q", "--allow-empty", "-m", "released");
      git("tag", "v1.5.0");
      git("tag", "nightly");
      git("checkout", "-q", "-b", "feature");
      git("commit", "-q", "--allow-empty", "-m", "unreviewed");
      git("tag", "v9.9.9");
      git("checkout", "-q", "main");
      git("commit", "-q", "--allow-empty", "-m", "pushed to main after the tag");
      git("update-ref", "refs/remotes/origin/main", "main");
      const run = (tag: string) =>
        spawnSync("bash", ["-e", "-c", script], {
          cwd: repo,
          env: { PATH: process.env.PATH, GITHUB_REF_NAME: tag, GITHUB_OUTPUT: path.join(repo, "out") },
          encoding: "utf8",
        });
      // A push to main after the tag does not stop the release: the tagged commit is what runs.
      assert.equal(run("v1.5.0").status, 0, run("v1.5.0").stdout);
      assert.match(
        fs.readFileSync(path.join(repo, "out"), "utf8"),
        new RegExp(`commit=${git("rev-parse", "v1.5.0")}`),
      );
      assert.equal(run("nightly").status, 1);
      assert.equal(run("v9.9.9").status, 1, "a tag on a branch that never reached main");
    });
  });
});
