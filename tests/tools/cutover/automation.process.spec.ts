import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { gitCheckout } from "../../../tools/cutover/checkout";
import { runCutover } from "../../../tools/cutover/cutoverRun";
import { EXIT } from "../../../tools/cli/exitCodes";
import { CutoverFlags } from "../../../tools/cutover/flags";
import { NO_INTERRUPTS } from "../../../tools/cutover/interrupts";
import { offlineFlipChanges } from "../../../tools/cutover/offlineFlip";
import { AlarmReading, AlarmState, Clock, Progress } from "../../../tools/cutover/ports";
import { runRollback } from "../../../tools/cutover/rollbackRun";
import { PROJECT_DIR } from "../../../tools/cli/project";
import { ALARMS, DEPLOYED, ROUTING, Sandbox, sandbox } from "../../helpers/fakePulumi";

/**
 * The Automation API adapter against the recording fake `pulumi` (tests/fakes/pulumi/pulumi): the SDK really
 * spawns it, so these tests pin the CLI calls the cut-over makes, in order, and how the tools read what the
 * real CLI reports — a lock held by another update, an update that fails before it changes anything.
 */

function fakeClock(start = Date.parse("2026-03-02T10:00:00Z")): Clock {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
}

const quiet: Progress = {
  phase: () => undefined,
  activity: () => undefined,
  bake: () => undefined,
  stop: () => undefined,
};

/** Alarms that are OK on every read but the ones `script` names by read number (0 = the pre-check). */
function scriptedAlarms(
  script: Record<number, AlarmState>,
  onRead: (n: number) => void = () => undefined,
): { read(names: readonly string[]): Promise<AlarmReading> } {
  let reads = 0;
  return {
    async read(names) {
      onRead(reads);
      const firing = script[reads++];
      return {
        alarms: names.map((name) =>
          firing?.name === name ? firing : { name, state: "OK", reason: "", since: undefined },
        ),
        missing: [],
      };
    },
  };
}

function flags(overrides: Partial<CutoverFlags> = {}): CutoverFlags {
  return {
    stack: "dev",
    to: "green",
    bakeMs: 120_000,
    pollMs: 30_000,
    dryRun: false,
    workDir: "unused",
    ...overrides,
  };
}

const FIRED: AlarmState = {
  name: "ams-dev-api-5xx",
  state: "ALARM",
  reason: "Threshold Crossed: 5xx 7.2% > 5%",
  since: new Date("2026-03-02T10:01:10Z"),
};

async function cutover(
  box: Sandbox,
  options: Partial<CutoverFlags> = {},
  alarmScript: Record<number, AlarmState> = {},
  onRead: (n: number) => void = () => undefined,
) {
  let stdout = "";
  let stderr = "";
  const activity: string[] = [];
  const code = await runCutover(flags(options), {
    stack: await box.open(),
    alarmsIn: () => scriptedAlarms(alarmScript, onRead),
    probe: async () => ({ ok: true, detail: "HTTP 200" }),
    checkout: { head: async () => DEPLOYED, changes: async () => [] },
    expectedFlip: async () => ROUTING.map((urn) => ({ urn, op: "update" })),
    interrupts: NO_INTERRUPTS,
    clock: fakeClock(),
    progress: { ...quiet, activity: (text) => activity.push(text) },
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    lockRetryDelaysMs: [1, 1, 1],
  });
  return { code, stdout, stderr, activity };
}

describe("cut-over through the Automation API (recording fake pulumi)", function () {
  this.timeout(60_000);

  it("reads outputs, declared color and history with the CLI calls the SDK documents, and never selects the stack", async () => {
    const box = sandbox();
    const stack = await box.open();
    const outputs = await stack.outputs();
    assert.equal(outputs.idleVersion, "1.5.0");
    assert.deepEqual(outputs.cutoverAlarmNames, ALARMS);
    assert.equal(await stack.declaredActiveColor(), "blue");
    const [last] = await stack.history(1);
    assert.equal(last?.result, "succeeded");
    assert.equal(last?.gitHead, DEPLOYED);
    assert.equal(last?.gitDirty, false);
    assert.equal(last?.endTime?.toISOString(), "2026-03-01T09:05:00.000Z");

    const calls = box.calls().flatMap((call) => (call.argv ? [call] : []));
    const commands = calls.map((call) => call.argv!.join(" "));
    // `pulumi stack select` would change the operator's current stack: a later bare `pulumi up` hits it.
    assert.ok(!commands.some((command) => command.startsWith("stack select")), commands.join("\n"));
    assert.ok(commands.includes("config get ams:activeColor --json --stack dev --non-interactive"));
    assert.ok(commands.includes("stack output --json --show-secrets --stack dev --non-interactive"));
    assert.ok(commands.includes("stack history --json --page-size 1 --page 1 --stack dev --non-interactive"));
    // Every call ran in the project directory with the sandbox's PULUMI_HOME.
    for (const call of calls.filter((c) => c.argv![0] !== "version")) {
      assert.equal(call.pulumiHome, box.home);
      assert.equal(fs.realpathSync(call.cwd!), fs.realpathSync(box.workDir));
    }
  });

  it("an unset ams:activeColor reads as undefined (the project default applies)", async () => {
    const box = sandbox();
    box.edit((state) => delete state.config["ams:activeColor"]);
    assert.equal(await (await box.open()).declaredActiveColor(), undefined);
  });

  it("an event the log delivers twice counts once: the same flip still matches its preview", async () => {
    const box = sandbox();
    box.edit((state) => (state.repeatEvents = true));
    const result = await cutover(box, {});
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.match(result.stdout, /pulumi preview of activeColor green: 3 planned changes, 3 expected/);
  });

  it("success: previews the flip on a copy of the stack file, sets ams:activeColor green, runs up, exits 0", async () => {
    const box = sandbox();
    const stackFile = fs.readFileSync(path.join(box.workDir, "Pulumi.dev.yaml"), "utf8");
    const result = await cutover(box, {});
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.deepEqual(box.changes(), [
      "config set ams:activeColor green",
      "up --message cutover: activeColor blue→green (dev)",
    ]);
    // The preview saw green through --config-file while the stack (and its file) still said blue.
    const preview = box.calls().find((call) => call.preview)?.preview;
    assert.equal(preview?.activeColor, "green");
    assert.ok(
      preview?.configFile && !preview.configFile.startsWith(box.workDir),
      String(preview?.configFile),
    );
    assert.ok(!fs.existsSync(preview.configFile), "the copy is removed");
    assert.equal(fs.readFileSync(path.join(box.workDir, "Pulumi.dev.yaml"), "utf8"), stackFile);
    assert.match(result.stdout, /pulumi preview of activeColor green: 3 planned changes, 3 expected/);
    const upCall = box.calls().find((call) => call.argv?.[0] === "up");
    assert.deepEqual(upCall?.argv?.slice(0, 3), ["up", "--yes", "--skip-preview"]);
    assert.ok(upCall?.argv?.includes("--event-log"));
    // The fake wrote three resource steps to the event log; the SDK tailed them into the progress line.
    assert.equal(result.activity.at(-1), "pulumi up: 3 resource steps done");
    assert.equal(box.state().outputs.activeColor, "green");
  });

  it("refuses (exit 4) when the real preview plans a change the flip does not make; the stack is untouched", async () => {
    const box = sandbox();
    box.edit((state) =>
      state.previewSteps!.push({
        urn: "urn:pulumi:dev::ams::aws:rds/instance:Instance::ams-data-postgres",
        op: "replace",
      }),
    );
    const result = await cutover(box, {});
    assert.equal(result.code, EXIT.refused, result.stderr);
    assert.match(result.stderr, /replace urn:pulumi:dev::ams::aws:rds\/instance:Instance::ams-data-postgres/);
    assert.deepEqual(box.changes(), []);
  });

  it("alarm during the bake: flips back to blue with a second up naming the alarm, exit 3, config restored", async () => {
    const box = sandbox();
    // Read 0 is the pre-check, read 1 right after the flip, read 2 thirty seconds later.
    const result = await cutover(box, {}, { 2: FIRED });
    assert.equal(result.code, EXIT.rolledBack, result.stdout);
    assert.deepEqual(box.changes(), [
      "config set ams:activeColor green",
      "up --message cutover: activeColor blue→green (dev)",
      "config set ams:activeColor blue",
      "up --message rollback: activeColor green→blue (alarm ams-dev-api-5xx at 2026-03-02T10:01:10.000Z)",
    ]);
    assert.equal(box.state().config["ams:activeColor"], "blue");
    assert.equal(box.state().outputs.activeColor, "blue");
    assert.match(result.stderr, /ams-dev-api-5xx: ALARM since 2026-03-02T10:01:10\.000Z — Threshold Crossed/);
  });

  it("a stack relying on the project default: the automatic rollback removes the key again (nothing to commit)", async () => {
    const box = sandbox();
    box.edit((state) => delete state.config["ams:activeColor"]);
    const result = await cutover(box, {}, { 1: FIRED });
    assert.equal(result.code, EXIT.rolledBack, result.stderr);
    assert.deepEqual(
      box.changes().filter((change) => change.startsWith("config")),
      ["config set ams:activeColor green", "config rm ams:activeColor"],
    );
    assert.ok(!("ams:activeColor" in box.state().config));
  });

  it("the rollback meets a lock held by a Deployments run: retried until the lock is gone, then rolled back, exit 3", async () => {
    const box = sandbox();
    const result = await cutover(box, {}, { 1: FIRED }, (n) => {
      if (n === 1) box.edit((state) => (state.lock = { holder: "pulumi-deployments", ups: 2 }));
    });
    assert.equal(result.code, EXIT.rolledBack, result.stderr);
    assert.equal(box.changes().filter((change) => change.startsWith("up --message rollback")).length, 3);
    assert.match(result.stderr, /another update holds the stack's lock; trying again/);
    assert.equal(box.state().outputs.activeColor, "blue");
  });

  it("failed up that changed something: restores ams:activeColor blue and runs up again to converge, exit 1", async () => {
    const box = sandbox(["failed", "succeeded"]);
    const result = await cutover(box, {});
    assert.equal(result.code, EXIT.failed, result.stderr);
    assert.deepEqual(box.changes(), [
      "config set ams:activeColor green",
      "up --message cutover: activeColor blue→green (dev)",
      "config set ams:activeColor blue",
      "up --message rollback: activeColor green→blue (cutover up failed)",
    ]);
    assert.equal(box.state().config["ams:activeColor"], "blue");
    assert.match(result.stderr, /FAILED; ams:activeColor is back to blue/);
    assert.match(result.stderr, /smoke Job ams-api-smoke failed/);
  });

  const before: [string, (box: Sandbox) => void, RegExp][] = [
    [
      "the stack is locked by a Pulumi Deployments run (HTTP 409, ConcurrentUpdateError)",
      (box) => box.edit((state) => (state.lock = { holder: "pulumi-deployments" })),
      /Another update holds the lock of stack dev[^]*\[409\] Conflict: Another update is currently in progress/,
    ],
    [
      "a mandatory policy violation stops the update",
      (box) => box.edit((state) => (state.upResults = ["policy"])),
      /one or more policy violations/,
    ],
    [
      "the program throws before registering a changing resource",
      (box) => box.edit((state) => (state.upResults = ["program"])),
      /Running program 'index\.ts' failed/,
    ],
    [
      "a missing config value stops the CLI before the update starts",
      (box) => box.edit((state) => (state.upResults = ["config"])),
      /Missing required configuration variable 'ams:greenVersion'/,
    ],
  ];
  for (const [what, setup, message] of before)
    it(`nothing applied when ${what}: config set back, one up, no HALF-SWITCHED, exit 5`, async () => {
      const box = sandbox();
      setup(box);
      const result = await cutover(box, {});
      assert.equal(result.code, EXIT.nothingChanged, result.stderr);
      assert.deepEqual(box.changes(), [
        "config set ams:activeColor green",
        "up --message cutover: activeColor blue→green (dev)",
        "config set ams:activeColor blue",
      ]);
      assert.match(result.stderr, /did not happen: its pulumi up failed before changing anything/);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /HALF-SWITCHED|ROLLBACK FAILED|code: |err\?:/);
      assert.equal(box.state().outputs.activeColor, "blue");
    });

  it("a succeeded flip whose outputs cannot be read once afterwards is baked, not rolled back", async () => {
    const box = sandbox();
    box.edit((state) => (state.failAfterUp = ["stack output"]));
    const result = await cutover(box, {});
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.deepEqual(box.changes(), [
      "config set ams:activeColor green",
      "up --message cutover: activeColor blue→green (dev)",
    ]);
    assert.match(result.stderr, /pulumi up succeeded \(update v2\); reading the stack afterwards failed/);
  });

  it("--dry-run reads the stack, previews the flip and changes nothing", async () => {
    const box = sandbox();
    const before = fs.readFileSync(box.statePath, "utf8");
    const result = await cutover(box, { dryRun: true });
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.deepEqual(box.changes(), []);
    assert.equal(fs.readFileSync(box.statePath, "utf8"), before);
    assert.match(result.stdout, /health probe of green \(idle scaledDown\) via the preview route/);
  });

  it("a CLI that is not logged in: exit 5 naming it, nothing changed", async () => {
    const box = sandbox();
    box.edit((state) => Object.assign(state, { loggedIn: false }));
    const result = await cutover(box, {});
    assert.equal(result.code, EXIT.nothingChanged);
    assert.match(result.stderr, /could not run; nothing was changed:\n {2}The Pulumi CLI is not logged in/);
    assert.deepEqual(box.changes(), []);
  });

  async function rollback(box: Sandbox) {
    let stderr = "";
    let stdout = "";
    const code = await runRollback(
      { stack: "dev", reason: "error budget", workDir: box.workDir },
      {
        stack: await box.open(),
        interrupts: NO_INTERRUPTS,
        clock: fakeClock(),
        progress: quiet,
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
        lockRetryDelaysMs: [1, 1],
      },
    );
    return { code, stdout, stderr };
  }

  it("rollback whose own up fails after a change: the loud error with the manual commands, exit 6", async () => {
    const box = sandbox(["failed"]);
    const { code, stderr } = await rollback(box);
    assert.equal(code, EXIT.manual);
    assert.deepEqual(box.changes(), [
      "config set ams:activeColor green",
      "up --message rollback: activeColor blue→green (error budget)",
    ]);
    assert.match(stderr, /HALF-SWITCHED/);
    assert.ok(stderr.includes("pulumi config set activeColor green --stack dev"), stderr);
    assert.ok(stderr.includes("pulumi up --stack dev"), stderr);
  });

  it("rollback against a lock that outlasts the retries: NOT APPLIED, config as it was, exit 5", async () => {
    const box = sandbox();
    box.edit((state) => (state.lock = { holder: "pulumi-deployments" }));
    const { code, stderr } = await rollback(box);
    assert.equal(code, EXIT.nothingChanged, stderr);
    assert.equal(box.changes().filter((change) => change.startsWith("up")).length, 3);
    assert.equal(box.state().config["ams:activeColor"], "blue");
    assert.match(stderr, /ROLLBACK NOT APPLIED on stack dev/);
  });
});

describe("cut-over: the checkout and the offline plan it is compared with", function () {
  this.timeout(120_000);

  it("a Git checkout is clean only when `git status --porcelain` prints nothing; HEAD is the commit", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-checkout-"));
    const git = (...args: string[]) =>
      execFileSync(
        "git",
        ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", ...args],
        {
          cwd: dir,
          encoding: "utf8",
        },
      ).trim();
    git("init", "-q");
    fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), "config: {}\n");
    git("add", ".");
    git("commit", "-q", "-m", "first");
    const checkout = gitCheckout(dir);
    assert.equal(await checkout.head(), git("rev-parse", "HEAD"));
    assert.deepEqual(await checkout.changes(), []);
    fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), "config:\n  ams:activeColor: green\n");
    fs.writeFileSync(path.join(dir, "new.ts"), "export {};\n");
    assert.deepEqual((await checkout.changes()).sort(), ["Pulumi.prod.yaml", "new.ts"]);
  });

  it("what a flip changes comes from this checkout's `plan --compare` (a fully qualified stack name too)", async () => {
    const changes = await offlineFlipChanges(PROJECT_DIR, "acme/ams/prod")("green");
    const byName = new Map(changes.map((change) => [change.urn.split("::").pop(), change.op]));
    assert.equal(byName.get("ams-release-api-stable"), "update");
    assert.equal(byName.get("ams-release-api-public"), "update");
    assert.ok(changes.every((change) => change.urn.startsWith("urn:pulumi:prod::ams::")));
    assert.ok(!changes.some((change) => change.urn.includes("rds/instance")));
    const parsed = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    assert.notEqual(parsed.config["ams:activeColor"], "green", "prod is on blue in the committed stack file");
  });
});
