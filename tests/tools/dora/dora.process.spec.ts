import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackHistory } from "../../../tools/dora/automation";
import { gitCommitTimes } from "../../../tools/dora/git";
import { readHistoryFile } from "../../../tools/dora/historyFile";
import { PROJECT_DIR } from "../../../tools/cli/project";
import { FAKE_PULUMI } from "../../helpers/fakePulumi";
import { fixture, runDora } from "../../helpers/dora";

describe("DORA report: through processes (the fake CLI, Git)", function () {
  this.timeout(60_000);

  describe("through the recording fake `pulumi` (tests/fakes/pulumi) first on PATH", function () {
    this.timeout(30_000);
    let dir: string;
    const saved = {
      PATH: process.env.PATH,
      log: process.env.FAKE_PULUMI_LOG,
      state: process.env.FAKE_PULUMI_STATE,
    };
    const calls = () =>
      fs
        .readFileSync(path.join(dir, "calls.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((line) => (JSON.parse(line) as { argv: string[] }).argv);

    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-dora-pulumi-"));
      fs.mkdirSync(path.join(dir, "bin"));
      // A wrapper rather than a symlink: it runs the fake with this Node whatever the checkout's file modes are.
      fs.writeFileSync(
        path.join(dir, "bin", "pulumi"),
        `#!/bin/sh\nexec "${process.execPath}" "${FAKE_PULUMI}" "$@"\n`,
        { mode: 0o755 },
      );
      const history = JSON.parse(fs.readFileSync(fixture("typical.json"), "utf8")) as unknown[];
      fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify({ stack: "prod", history }));
      process.env.PATH = `${path.join(dir, "bin")}${path.delimiter}${process.env.PATH}`;
      process.env.FAKE_PULUMI_LOG = path.join(dir, "calls.jsonl");
      process.env.FAKE_PULUMI_STATE = path.join(dir, "state.json");
    });
    after(() => {
      for (const [key, value] of [
        ["PATH", saved.PATH],
        ["FAKE_PULUMI_LOG", saved.log],
        ["FAKE_PULUMI_STATE", saved.state],
      ] as const)
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
    });

    it("runs `stack history --json` page by page without --show-secrets, and never selects the stack", async () => {
      const updates = await readStackHistory({
        stackName: "prod",
        workDir: dir,
        notBefore: new Date("2024-05-03T00:00:00Z"),
        pageSize: 4,
      });
      assert.deepEqual(updates, readHistoryFile(fixture("typical.json")));
      const history = calls().filter((args) => args[0] === "stack" && args[1] === "history");
      // `pulumi stack select` would change the operator's current stack behind their back.
      assert.ok(!calls().some((args) => args[0] === "stack" && args[1] === "select"), calls().join("\n"));
      assert.deepEqual(
        history.map((args) => args.slice(0, 7)),
        [1, 2, 3].map((page) => ["stack", "history", "--json", "--page-size", "4", "--page", String(page)]),
      );
      assert.ok(history.every((args) => args.includes("--stack") && args.includes("prod")));
      assert.ok(calls().every((args) => !args.includes("--show-secrets")));
    });

    it("the command reports a stack the CLI does not know with exit 1, one clear line and the --history workaround", async () => {
      const result = await runDora(["--stack", "missing", "--now", "2024-05-31T00:00:00Z"], {
        projectDir: dir,
      });
      assert.equal(result.status, 1);
      assert.match(result.stderr, /Could not read the history of stack "missing" through the Pulumi CLI/);
      assert.match(result.stderr, /Stack "missing" does not exist in the backend/);
      assert.doesNotMatch(result.stderr, /code: |stdout: |err\?: /);
      assert.match(result.stderr, /--history/);
    });

    it("without the CLI on PATH: exit 1 saying so once, in one line, not the SDK's doubled `spawn pulumi ENOENT`", async () => {
      const path_ = process.env.PATH;
      process.env.PATH = path.dirname(process.execPath);
      try {
        const result = await runDora(["--stack", "prod", "--now", "2024-05-31T00:00:00Z"], {
          projectDir: dir,
        });
        assert.equal(result.status, 1);
        assert.match(result.stderr, /The Pulumi CLI \(`pulumi`\) is not on PATH/);
        assert.doesNotMatch(result.stderr, /ENOENT/);
        // One line: what is missing, how to get it, and the way around it (--history).
        assert.deepEqual(result.stderr.trim().split("\n").length, 1, result.stderr);
        assert.match(result.stderr, /--history/);
      } finally {
        process.env.PATH = path_;
      }
    });
  });

  describe("DORA report: commit times from Git", function () {
    this.timeout(20_000);

    it("reads the author date of a commit in a local clone; unknown commits are undefined", () => {
      const repo = fs.mkdtempSync(path.join(os.tmpdir(), "ams-dora-git-"));
      const env = {
        ...process.env,
        GIT_AUTHOR_NAME: "Dana",
        GIT_AUTHOR_EMAIL: "dana@example.com",
        GIT_AUTHOR_DATE: "2024-05-01T16:10:00Z",
        GIT_COMMITTER_NAME: "CI",
        GIT_COMMITTER_EMAIL: "ci@example.com",
        GIT_COMMITTER_DATE: "2024-05-02T09:00:00Z", // a later merge: lead time measures from authoring
      };
      const git = (...args: string[]) =>
        execFileSync("git", args, { cwd: repo, env, encoding: "utf8" }).trim();
      git("init", "-q");
      fs.writeFileSync(path.join(repo, "README.md"), "x\n");
      git("add", "README.md");
      git("-c", "commit.gpgsign=false", "commit", "-q", "-m", "first");
      const sha = git("rev-parse", "HEAD");
      const lookup = gitCommitTimes(repo);
      assert.equal(lookup(sha)?.toISOString(), "2024-05-01T16:10:00.000Z");
      assert.equal(lookup("0".repeat(40)), undefined);
      assert.equal(lookup("--help"), undefined);
    });
  });

  it("runs through tools/dora.ts, the npm script's entry point, with real Git (commits not in this clone)", () => {
    const result = spawnSync(
      process.execPath,
      [
        "--require",
        "tsx/cjs",
        path.join(PROJECT_DIR, "tools", "dora.ts"),
        "--stack",
        "prod",
        "--history",
        fixture("only-failures.json"),
        "--now",
        "2024-05-31T00:00:00Z",
      ],
      { cwd: PROJECT_DIR, encoding: "utf8", timeout: 30_000 },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /\| Change failure rate \| 100\.0 % \| 3 failed of 3 changes/);
    // Open since v1's failure at May 10 10:05 until --now: 20 d 13 h 55 min, shown to the hour.
    assert.match(result.stdout, /\| 2024-05-10T10:05:00Z \| open \(20 d 13 h so far\) \|/);
    assert.match(
      result.stdout,
      /\| Lead time for changes \| unavailable \| no succeeded deployment in the window \|/,
    );
  });
});
