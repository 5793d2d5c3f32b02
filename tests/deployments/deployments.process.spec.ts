import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { Plan } from "../../plan/plan";
import { PROJECT_DIR } from "../../tools/cli/project";
import { withGitRepo } from "../helpers/gitRepo";
import { planDeployments, settingsOf, triggersDeployment } from "../helpers/deployments";
import { RELEASE_COMMIT_GUARD } from "../../deployments/settings";

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
        "require('./index'); console.log(JSON.stringify(Object.keys(require.cache)))",
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
