import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { openPulumiStack } from "../../tools/cutover/automation";
import { runCutover } from "../../tools/cutover/cutoverRun";
import { EXIT } from "../../tools/cutover/exitCodes";
import { CutoverFlags } from "../../tools/cutover/flags";
import { AlarmReading, AlarmState, Clock, Progress, StackPort } from "../../tools/cutover/ports";
import { runRollback } from "../../tools/cutover/rollbackRun";

/**
 * The Automation API adapter against a recording fake `pulumi` (tests/fakes/pulumi/pulumi): the SDK really
 * spawns it, so these tests pin the CLI calls the cut-over makes, in order, with nothing real touched.
 */

const FAKE_PULUMI = path.resolve(__dirname, "..", "fakes", "pulumi", "pulumi");
const ALARMS = ["ams-dev-api-5xx", "ams-dev-api-p95"];

interface Recorded {
  readonly argv: string[];
  readonly cwd: string;
  readonly pulumiHome: string | null;
}

interface Sandbox {
  readonly dir: string;
  readonly workDir: string;
  readonly home: string;
  readonly statePath: string;
  readonly logPath: string;
  open(): Promise<StackPort>;
  calls(): Recorded[];
  /** The argv of every call that changes something, without the SDK's bookkeeping flags. */
  changes(): string[];
  state(): {
    config: Record<string, string>;
    outputs: Record<string, unknown>;
    history: { message: string }[];
  };
}

function sandbox(upResults: string[] = []): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-cutover-auto-"));
  const workDir = path.join(dir, "project");
  const home = path.join(dir, "pulumi-home");
  const root = path.join(dir, "cli");
  fs.mkdirSync(workDir);
  fs.mkdirSync(home);
  fs.mkdirSync(path.join(root, "bin"), { recursive: true });
  fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), "name: ams\nruntime: nodejs\n");
  // A wrapper rather than a symlink: it runs the fake with this Node whatever the checkout's file modes are.
  const bin = path.join(root, "bin", "pulumi");
  fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_PULUMI}" "$@"\n`, { mode: 0o755 });
  const statePath = path.join(dir, "state.json");
  const logPath = path.join(dir, "calls.jsonl");
  fs.writeFileSync(
    statePath,
    JSON.stringify({
      stack: "dev",
      config: { "ams:activeColor": "blue", "aws:region": "ap-northeast-2" },
      outputs: {
        strategy: "blueGreen",
        activeColor: "blue",
        idleColor: "green",
        activeVersion: "1.4.0",
        idleVersion: "1.5.0",
        region: "ap-northeast-2",
        idleColorPolicy: "scaledDown",
        previewProbe: { url: "https://api.dev.example.com/actuator/health/readiness", headers: {} },
        cutoverAlarmNames: ALARMS,
      },
      history: [
        {
          version: 1,
          kind: "update",
          startTime: "2026-03-01T09:00:00.000Z",
          endTime: "2026-03-01T09:05:00.000Z",
          message: "greenVersion 1.5.0",
          environment: {},
          config: {},
          result: "succeeded",
          resourceChanges: { update: 4 },
        },
      ],
      upResults,
    }),
  );
  const calls = (): Recorded[] =>
    fs.existsSync(logPath)
      ? fs
          .readFileSync(logPath, "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as Recorded)
      : [];
  return {
    dir,
    workDir,
    home,
    statePath,
    logPath,
    async open() {
      const pulumiCommand = await PulumiCommand.get({ root, skipVersionCheck: true });
      return openPulumiStack({
        stackName: "dev",
        workDir,
        pulumiCommand,
        envVars: {
          PULUMI_HOME: home,
          PULUMI_BACKEND_URL: `file://${path.join(dir, "backend")}`,
          PULUMI_CONFIG_PASSPHRASE: "test-only",
          FAKE_PULUMI_STATE: statePath,
          FAKE_PULUMI_LOG: logPath,
        },
      });
    },
    calls,
    changes() {
      return calls()
        .map((call) => call.argv)
        .filter(([command, sub]) => command === "up" || (command === "config" && sub === "set"))
        .map((argv) => {
          if (argv[0] === "config") return `config set ${argv[2]} ${argv[argv.indexOf("--") + 1]}`;
          return `up --message ${argv[argv.indexOf("--message") + 1]}`;
        });
    },
    state() {
      return JSON.parse(fs.readFileSync(statePath, "utf8"));
    },
  };
}

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
function scriptedAlarms(script: Record<number, AlarmState>): {
  read(names: readonly string[]): Promise<AlarmReading>;
} {
  let reads = 0;
  return {
    async read(names) {
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

async function cutover(
  box: Sandbox,
  options: Partial<CutoverFlags>,
  alarmScript: Record<number, AlarmState> = {},
) {
  let stdout = "";
  let stderr = "";
  const activity: string[] = [];
  const code = await runCutover(flags(options), {
    stack: await box.open(),
    alarmsIn: () => scriptedAlarms(alarmScript),
    probe: async () => ({ ok: true, detail: "HTTP 200" }),
    clock: fakeClock(),
    progress: { ...quiet, activity: (text) => activity.push(text) },
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr, activity };
}

describe("cut-over through the Automation API (recording fake pulumi)", function () {
  this.timeout(60_000);

  it("reads outputs, declared color and last update with the CLI calls the SDK documents, in the temp PULUMI_HOME", async () => {
    const box = sandbox();
    const stack = await box.open();
    const outputs = await stack.outputs();
    assert.equal(outputs.idleVersion, "1.5.0");
    assert.deepEqual(outputs.cutoverAlarmNames, ALARMS);
    assert.equal(await stack.declaredActiveColor(), "blue");
    const last = await stack.lastUpdate();
    assert.equal(last?.result, "succeeded");
    assert.equal(last?.endTime?.toISOString(), "2026-03-01T09:05:00.000Z");

    const calls = box.calls();
    const commands = calls.map((call) => call.argv.join(" "));
    // `version` runs before the workspace's environment applies, so the first recorded call is the select.
    assert.equal(commands[0], "stack select --stack dev --non-interactive");
    assert.ok(commands.includes("config get ams:activeColor --json --stack dev --non-interactive"));
    assert.ok(commands.includes("stack output --json --show-secrets --stack dev --non-interactive"));
    assert.ok(commands.includes("stack history --json --page-size 1 --page 1 --stack dev --non-interactive"));
    // Every call ran in the project directory with the sandbox's PULUMI_HOME.
    for (const call of calls) {
      assert.equal(call.pulumiHome, box.home);
      assert.equal(fs.realpathSync(call.cwd), fs.realpathSync(box.workDir));
    }
  });

  it("an unset ams:activeColor reads as undefined (the project default applies)", async () => {
    const box = sandbox();
    const state = box.state();
    delete state.config["ams:activeColor"];
    fs.writeFileSync(box.statePath, JSON.stringify(state));
    assert.equal(await (await box.open()).declaredActiveColor(), undefined);
  });

  it("success: sets ams:activeColor green, runs up with the cut-over message and an event log, exits 0", async () => {
    const box = sandbox();
    const result = await cutover(box, {});
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.deepEqual(box.changes(), [
      "config set ams:activeColor green",
      "up --message cutover: activeColor blue→green (dev)",
    ]);
    const upCall = box.calls().find((call) => call.argv[0] === "up");
    assert.ok(upCall);
    assert.deepEqual(upCall.argv.slice(0, 3), ["up", "--yes", "--skip-preview"]);
    assert.ok(upCall.argv.includes("--event-log"), upCall.argv.join(" "));
    // The fake wrote one resource step to the event log; the SDK tailed it into the progress line.
    assert.deepEqual(result.activity, ["pulumi up: 1 resource steps done"]);
    assert.equal(box.state().outputs.activeColor, "green");
  });

  it("alarm during the bake: flips back to blue with a second up naming the alarm, exit 3, config restored", async () => {
    const box = sandbox();
    const since = new Date("2026-03-02T10:01:10Z");
    // Read 0 is the pre-check, read 1 right after the flip, read 2 thirty seconds later.
    const result = await cutover(
      box,
      {},
      {
        2: { name: "ams-dev-api-5xx", state: "ALARM", reason: "Threshold Crossed: 5xx 7.2% > 5%", since },
      },
    );
    assert.equal(result.code, EXIT.rolledBack, result.stdout);
    assert.deepEqual(box.changes(), [
      "config set ams:activeColor green",
      "up --message cutover: activeColor blue→green (dev)",
      "config set ams:activeColor blue",
      "up --message rollback: activeColor green→blue (alarm ams-dev-api-5xx at 2026-03-02T10:01:10.000Z)",
    ]);
    assert.equal(box.state().config["ams:activeColor"], "blue");
    assert.equal(box.state().outputs.activeColor, "blue");
    assert.match(
      result.stderr,
      /ams-dev-api-5xx: ALARM since 2026-03-02T10:01:10\.000Z — Threshold Crossed: 5xx 7\.2% > 5%/,
    );
  });

  it("failed up: restores ams:activeColor blue and runs up again to converge, exit 1", async () => {
    const box = sandbox(["failed", "succeeded"]);
    const result = await cutover(box, {});
    assert.equal(result.code, EXIT.failed);
    assert.deepEqual(box.changes(), [
      "config set ams:activeColor green",
      "up --message cutover: activeColor blue→green (dev)",
      "config set ams:activeColor blue",
      "up --message rollback: activeColor green→blue (cutover up failed)",
    ]);
    assert.equal(box.state().config["ams:activeColor"], "blue");
    assert.match(result.stderr, /FAILED; ams:activeColor was set back to blue/);
    assert.match(result.stderr, /smoke Job ams-api-smoke failed/);
  });

  it("--dry-run reads the stack and changes nothing", async () => {
    const box = sandbox();
    const before = fs.readFileSync(box.statePath, "utf8");
    const result = await cutover(box, { dryRun: true });
    assert.equal(result.code, EXIT.ok, result.stderr);
    assert.deepEqual(box.changes(), []);
    assert.equal(fs.readFileSync(box.statePath, "utf8"), before);
    assert.match(result.stdout, /health probe of green \(idle scaledDown\) via the preview route/);
  });

  it("rollback whose own up fails: the loud error with the manual commands, exit 1", async () => {
    const box = sandbox(["failed"]);
    let stderr = "";
    const code = await runRollback(
      { stack: "dev", reason: "error budget", workDir: box.workDir },
      {
        stack: await box.open(),
        progress: quiet,
        stdout: () => undefined,
        stderr: (text) => (stderr += text),
      },
    );
    assert.equal(code, EXIT.failed);
    assert.deepEqual(box.changes(), [
      "config set ams:activeColor green",
      "up --message rollback: activeColor blue→green (error budget)",
    ]);
    assert.match(stderr, /HALF-SWITCHED/);
    assert.ok(stderr.includes("pulumi config set activeColor green --stack dev"), stderr);
    assert.ok(stderr.includes("pulumi up --stack dev"), stderr);
  });
});
