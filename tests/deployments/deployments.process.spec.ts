import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { findResource, Plan } from "../../plan/plan";
import { programIn, runPlan } from "../../plan/runPlan";
import { parseOverride } from "../../plan/stackConfig";
import { PROJECT_DIR } from "../../tools/cli/project";
import { withGitRepo } from "../helpers/gitRepo";
import { runExclusive } from "../helpers/plans";
import { PLAN_PROJECTS } from "../../plan/projects";
import { RELEASE_COMMIT_GUARD } from "../../deployments/settings";

const DIR = PLAN_PROJECTS.deployments.dir;
const SETTINGS = "pulumiservice:index:DeploymentSettings";

function planDeployments(...overrides: string[]): Promise<Plan> {
  return runExclusive(() =>
    runPlan({
      stack: "admin",
      projectDir: DIR,
      program: programIn(DIR),
      overrides: overrides.map((text) => parseOverride(text, "--set")),
    }),
  );
}

interface Settings {
  organization: string;
  project: string;
  stack: string;
  sourceContext: { git: Record<string, unknown> };
  vcs: Record<string, unknown> & { paths: string[] };
  github?: unknown;
  operationContext: {
    preRunCommands: string[];
    environmentVariables: Record<string, string>;
    oidc: { aws: { roleARN: string; sessionName: string; duration: string } };
  };
}

function settingsOf(plan: Plan, stack: string): Settings {
  return findResource(plan, SETTINGS, `${stack}-settings`).inputs as unknown as Settings;
}

/** Pulumi's path filters: a file matches a glob on its whole path; `!` excludes, and exclusion wins. */
function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      source += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") source += "[^/]*";
    else source += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
function triggersDeployment(paths: readonly string[], changedFile: string): boolean {
  const includes = paths.filter((p) => !p.startsWith("!")).map(globToRegExp);
  const excludes = paths.filter((p) => p.startsWith("!")).map((p) => globToRegExp(p.slice(1)));
  const included = includes.length === 0 || includes.some((r) => r.test(changedFile));
  return included && !excludes.some((r) => r.test(changedFile));
}

describe("deployments project: what Git and the shell do with it", function () {
  this.timeout(60_000);
  let plan: Plan;
  before(async () => {
    plan = await planDeployments();
  });

  it("path filters cover every file the program loads: a change to any of them deploys", () => {
    // The modules `pulumi up` loads from index.ts, listed by a fresh Node (a mocha worker has loaded more).
    const listed = spawnSync(
      process.execPath,
      [
        "--require",
        "tsx/cjs",
        "-e",
        "require('../specs/index'); console.log(JSON.stringify(Object.keys(require.cache)))",
      ],
      { cwd: PROJECT_DIR, encoding: "utf8" },
    );
    assert.equal(listed.status, 0, listed.stderr);
    const loaded = (JSON.parse(listed.stdout) as string[])
      .filter(
        (file) =>
          file.startsWith(PROJECT_DIR + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`),
      )
      .map((file) => path.relative(PROJECT_DIR, file));
    assert.ok(
      loaded.includes("index.ts") && loaded.some((file) => file.startsWith("release/")),
      loaded.join(" "),
    );
    const { paths } = settingsOf(plan, "prod").vcs;
    assert.deepEqual(
      loaded.filter((file) => !triggersDeployment(paths, file)),
      [],
    );
  });

  it("a release's commit guard passes without a pin and on the pinned commit, and refuses any other", () => {
    withGitRepo((repo, git) => {
      git("commit", "-q", "--allow-empty", "-m", "tagged");
      const tagged = git("rev-parse", "HEAD");
      git("commit", "-q", "--allow-empty", "-m", "pushed to main after the tag");
      const guard = (pinned?: string) =>
        spawnSync("bash", ["-c", RELEASE_COMMIT_GUARD], {
          cwd: repo,
          env: { PATH: process.env.PATH, ...(pinned ? { AMS_RELEASE_COMMIT: pinned } : {}) },
          encoding: "utf8",
        });
      assert.equal(guard().status, 0, "a push-to-deploy run carries no pin");
      assert.equal(guard(git("rev-parse", "HEAD")).status, 0);
      const other = guard(tagged);
      assert.equal(other.status, 1, "HEAD is not the pinned commit");
      assert.match(other.stdout, /refusing/);
    });
  });
});
