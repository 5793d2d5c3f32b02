import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { doraCommand, DEFAULT_DEPENDENCIES } from "../../../tools/dora/command";
import { gitCommitTimes, gitPromotions } from "../../../tools/dora/git";
import { parseHistory } from "../../../tools/dora/historyFile";
import { computeDora } from "../../../tools/dora/metrics";
import { AppCommit, appCommitRef, promotionMessage } from "../../../tools/promote/trailers";
import { PROJECT_DIR } from "../../../tools/cli/project";

const FIXTURE = path.join(PROJECT_DIR, "tests", "fixtures", "dora", "promotions.json");
const NOW = new Date("2024-05-31T00:00:00Z");
const THIRTY_DAYS = 30 * 86_400_000;
const MINUTE = 60_000;

const app = (sha: string, time: string): AppCommit => ({
  repository: "ams-team/ams",
  sha: sha.repeat(40 / sha.length),
  time: new Date(time),
});
const APP_A = app("a1", "2024-05-06T10:00:00Z");
const APP_B = app("b2", "2024-05-08T00:00:00Z");
const APP_C = app("c3", "2024-05-10T08:00:00Z");

/** The commit message `npm run promote` writes: the contract under test is its trailers. */
const promotion = (stack: string, version: string, appCommit: AppCommit) =>
  promotionMessage(
    { stack, key: "greenVersion", from: "1.4.0", version, effect: "blueGreen deploys it to the idle color." },
    appCommit,
  );

/**
 * The platform repository's `develop` as the history fixture's deployments saw it, with fixed dates (the
 * author date is when a change was written; merges and promotions come later):
 *   c0 ── c1 ─────────── m1 ── c3 ── c4 ── c5 ── c6
 *           \─ c2 ──────/
 * c2 promotes dev to 1.5.0 (app commit A) through a merged pull request; c3 is another stack's promotion
 * (staging, app B) followed by a platform change c4; c5 promotes dev to 1.6.0 (app C) as a squash would;
 * c6 promotes A again (a roll back to 1.5.0 through a pull request).
 */
function buildRepository(): { dir: string; heads: Record<string, string> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-dora-promotions-"));
  const git = (date: string, ...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "Dana",
        GIT_AUTHOR_EMAIL: "dana@example.com",
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: "GitHub",
        GIT_COMMITTER_EMAIL: "noreply@github.com",
        GIT_COMMITTER_DATE: date,
      },
    }).trim();
  const commit = (date: string, file: string, text: string, message: string) => {
    fs.writeFileSync(path.join(dir, file), text);
    git(date, "add", file);
    git(date, "-c", "commit.gpgsign=false", "commit", "-q", "-m", message);
    return git(date, "rev-parse", "HEAD");
  };
  git("2024-04-20T10:00:00Z", "init", "-q", "-b", "develop");
  const heads: Record<string, string> = {};
  heads.c0 = commit("2024-04-20T10:00:00Z", "index.ts", "v0\n", "First AMS platform");
  heads.c1 = commit("2024-05-02T08:00:00Z", "index.ts", "v1\n", "Tune the switch alarms");
  git("2024-05-07T09:00:00Z", "switch", "-q", "-c", "promote/dev");
  heads.c2 = commit("2024-05-07T09:00:00Z", "Pulumi.dev.yaml", "1.5.0\n", promotion("dev", "1.5.0", APP_A));
  git("2024-05-07T12:00:00Z", "switch", "-q", "develop");
  git(
    "2024-05-07T12:00:00Z",
    "-c",
    "commit.gpgsign=false",
    "merge",
    "-q",
    "--no-ff",
    "-m",
    "Merge pull request #41",
    "promote/dev",
  );
  heads.m1 = git("2024-05-07T12:00:00Z", "rev-parse", "HEAD");
  heads.c3 = commit(
    "2024-05-09T08:00:00Z",
    "Pulumi.staging.yaml",
    "2.0.0\n",
    promotion("staging", "2.0.0", APP_B),
  );
  heads.c4 = commit("2024-05-09T09:00:00Z", "index.ts", "v2\n", "Raise the worker's memory limit");
  heads.c5 = commit(
    "2024-05-10T09:30:00Z",
    "Pulumi.dev.yaml",
    "1.6.0\n",
    promotion("dev", "1.6.0-main.3.gc0ffee000000", APP_C),
  );
  heads.c6 = commit("2024-05-12T08:00:00Z", "Pulumi.dev.yaml", "1.5.0\n", promotion("dev", "1.5.0", APP_A));
  return { dir, heads };
}

const historyText = (heads: Record<string, string>) =>
  fs.readFileSync(FIXTURE, "utf8").replace(/\{\{(\w+)\}\}/g, (_, name: string) => heads[name]);

describe("DORA lead time from the application commit a promotion carried", function () {
  this.timeout(30_000);
  let repo: { dir: string; heads: Record<string, string> };
  before(() => {
    repo = buildRepository();
  });
  after(() => fs.rmSync(repo.dir, { recursive: true, force: true }));

  const metrics = (withPromotions: boolean) =>
    computeDora({
      updates: parseHistory(historyText(repo.heads), FIXTURE),
      now: NOW,
      windowMs: THIRTY_DAYS,
      commitTime: gitCommitTimes(repo.dir),
      promotions: withPromotions ? gitPromotions(repo.dir, "dev") : undefined,
    });

  it("finds the stack's newest promotion among the commits a deployment brought, however it was merged", () => {
    const lookup = gitPromotions(repo.dir, "ams-team/ams/dev"); // the org/project/stack form names the stack too
    const { heads } = repo;
    assert.deepEqual(lookup(heads.m1, heads.c1), { commit: appCommitRef(APP_A), committedAt: APP_A.time });
    // Without a previous deployment: what the head itself brought (a merge: its merged side).
    assert.equal(lookup(heads.m1, undefined)?.commit, appCommitRef(APP_A));
    assert.equal(lookup(heads.c4, heads.m1), undefined, "staging's promotion is not dev's");
    assert.equal(gitPromotions(repo.dir, "staging")(heads.c4, heads.m1)?.commit, appCommitRef(APP_B));
    assert.equal(lookup(heads.c5, heads.c4)?.commit, appCommitRef(APP_C));
    assert.equal(lookup(heads.c1, heads.c0), undefined, "a platform change carries no app commit");
    assert.equal(lookup("--all", undefined), undefined, "only commit ids reach git");
  });

  it("lead time runs from the app commit's time, once per app commit; platform changes keep git.head's", () => {
    const { heads } = repo;
    const samples = metrics(true).leadTime.samples.map((sample) => [
      sample.version,
      sample.commit,
      sample.ms / MINUTE,
    ]);
    assert.deepEqual(samples, [
      [2, heads.c1, 65], // authored May 2 08:00, deployed 09:05
      [3, appCommitRef(APP_A), 26 * 60 + 10], // app commit May 6 10:00 → the merge's deployment May 7 12:10
      [4, heads.c4, 66], // staging's promotion in the range is not dev's: c4 authored 09:00 → 10:06
      [5, appCommitRef(APP_C), 120], // app commit May 10 08:00 → 10:00
      // v6 redeploys c5; v7 promotes A again, which was counted at v3.
    ]);
  });

  it("without the promotion trailers the same history measures the merge commit: 10 min instead of 26 h", () => {
    const samples = metrics(false).leadTime.samples.map((sample) => [sample.version, sample.ms / MINUTE]);
    assert.deepEqual(
      samples.find(([version]) => version === 3),
      [3, 10],
    );
  });

  it("npm run dora reads them from --repo by default", async () => {
    const history = path.join(repo.dir, "history.json");
    fs.writeFileSync(history, historyText(repo.heads));
    let stdout = "";
    const status = await doraCommand(
      ["--stack", "dev", "--history", history, "--repo", repo.dir, "--now", NOW.toISOString(), "--json"],
      { stdout: (text) => (stdout += text), stderr: (text) => assert.fail(text) },
      { ...DEFAULT_DEPENDENCIES, clock: () => NOW },
    );
    assert.equal(status, 0);
    const report = JSON.parse(stdout) as { leadTime: { samples: { commit: string; minutes: number }[] } };
    assert.deepEqual(
      report.leadTime.samples.map((sample) => [sample.commit, sample.minutes]),
      [
        [repo.heads.c1, 65],
        [appCommitRef(APP_A), 1570],
        [repo.heads.c4, 66],
        [appCommitRef(APP_C), 120],
      ],
    );
  });
});
