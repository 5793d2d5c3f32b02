import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { Color } from "../../tools/cutover/color";
import { runCutover } from "../../tools/cutover/cutoverRun";
import { CutoverPlan, decide, INITIAL_STATE, MAX_UNREADABLE_POLLS } from "../../tools/cutover/decision";
import { formatDuration, parseDuration } from "../../tools/cutover/duration";
import { EXIT } from "../../tools/cutover/exitCodes";
import { CutoverFlags, parseCutoverFlags, parseRollbackFlags, UsageError } from "../../tools/cutover/flags";
import {
  AlarmPort,
  AlarmState,
  LastUpdate,
  ProbeTarget,
  Progress,
  StackPort,
} from "../../tools/cutover/ports";
import { createProgress } from "../../tools/cutover/progress";
import { runRollback } from "../../tools/cutover/rollbackRun";

const T0 = Date.parse("2026-03-02T10:00:00Z");
const ALARMS = ["ams-prod-api-5xx", "ams-prod-api-p95", "ams-prod-unhealthy-hosts", "ams-prod-queue-backlog"];

/** Everything every fake did, in order, with the fake clock's time: the tests read the story from it. */
class World {
  now = T0;
  readonly log: string[] = [];
  record(entry: string): void {
    this.log.push(`+${(this.now - T0) / 1000}s ${entry}`);
  }
  /** Only what changes the stack. */
  changes(): string[] {
    return this.log.filter((entry) => / (set|up) /.test(entry)).map((entry) => entry.replace(/^\+\S+ /, ""));
  }
}

class FakeStack implements StackPort {
  declared: string | undefined = "blue";
  outputValues: Record<string, unknown> = {
    strategy: "blueGreen",
    activeColor: "blue",
    idleColor: "green",
    activeVersion: "1.4.0",
    idleVersion: "1.5.0",
    region: "ap-northeast-2",
    idleColorPolicy: "full",
    previewProbe: {
      url: "https://api.example.com/actuator/health/readiness?token=x",
      headers: { "X-AMS-Preview": "true" },
    },
    cutoverAlarmNames: ALARMS,
  };
  last: LastUpdate | undefined = { kind: "update", result: "succeeded", endTime: new Date(T0 - 3_600_000) };
  /** Outcome of each `up`, consumed in order: true succeeds, a string fails with that message. */
  upResults: (true | string)[] = [];
  /** How long each `up` takes on the fake clock. */
  upTakesMs = 90_000;

  constructor(private readonly world: World) {}
  async outputs() {
    this.world.record("read outputs");
    return structuredClone(this.outputValues);
  }
  async lastUpdate() {
    return this.last;
  }
  async declaredActiveColor() {
    return this.declared;
  }
  async setActiveColor(color: Color) {
    this.world.record(`set ams:activeColor ${color}`);
    this.declared = color;
  }
  async up(message: string, onStep?: (done: number) => void) {
    this.world.record(`up "${message}"`);
    this.world.now += this.upTakesMs;
    onStep?.(1);
    const result = this.upResults.shift() ?? true;
    if (result !== true) throw new Error(`code: 255\n stderr: ${result}`);
    this.outputValues.activeColor = this.declared;
  }
}

/** Alarms all OK except where `firing` says: read number → the alarm that is in ALARM on that read. */
function fakeAlarms(
  world: World,
  firing: Record<number, AlarmState> = {},
  failing: number[] = [],
): AlarmPort {
  let reads = 0;
  return {
    async read(names) {
      const n = reads++;
      world.record(`read alarms #${n}`);
      if (failing.includes(n)) throw new Error("ThrottlingException: Rate exceeded");
      return {
        alarms: names.map((name) =>
          firing[n]?.name === name ? firing[n] : { name, state: "OK", reason: "", since: undefined },
        ),
        missing: [],
      };
    },
  };
}

const quiet: Progress = {
  phase: () => undefined,
  activity: () => undefined,
  bake: () => undefined,
  stop: () => undefined,
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  world: World;
  stack: FakeStack;
  probed: ProbeTarget[];
}

async function cutover(
  options: Partial<CutoverFlags> = {},
  setup: (stack: FakeStack) => void = () => undefined,
  alarms: (world: World) => AlarmPort = (world) => fakeAlarms(world),
  probeStatus = 200,
): Promise<Run> {
  const world = new World();
  const stack = new FakeStack(world);
  setup(stack);
  const probed: ProbeTarget[] = [];
  let stdout = "";
  let stderr = "";
  const flags: CutoverFlags = {
    stack: "prod",
    to: "green",
    bakeMs: 10 * 60_000,
    pollMs: 30_000,
    dryRun: false,
    workDir: "unused",
    ...options,
  };
  const code = await runCutover(flags, {
    stack,
    alarmsIn: (region) => {
      assert.equal(region, "ap-northeast-2");
      return alarms(world);
    },
    probe: async (target) => {
      probed.push(target);
      world.record("probe");
      return { ok: probeStatus < 300, detail: `HTTP ${probeStatus}` };
    },
    clock: {
      now: () => world.now,
      sleep: async (ms) => {
        world.now += ms;
      },
    },
    progress: quiet,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr, world, stack, probed };
}

describe("cut-over: flags", () => {
  it("durations are whole seconds, minutes or hours", () => {
    assert.equal(parseDuration("90s"), 90_000);
    assert.equal(parseDuration("10m"), 600_000);
    assert.equal(parseDuration("1h"), 3_600_000);
    for (const bad of ["10", "1.5m", "10min", "-5m", "1h30m", "m", ""])
      assert.equal(parseDuration(bad), undefined, bad);
    assert.equal(formatDuration(150_000), "2m30s");
    assert.equal(formatDuration(3_600_000), "1h");
    assert.equal(formatDuration(0), "0s");
  });

  it("defaults: 10m bake, 30s polls, the repository as project", () => {
    const flags = parseCutoverFlags(["--stack", "prod", "--to", "green"], "/repo");
    assert.deepEqual(flags, {
      stack: "prod",
      to: "green",
      bakeMs: 600_000,
      pollMs: 30_000,
      dryRun: false,
      workDir: "/repo",
    });
    const other = parseCutoverFlags(
      ["--to", "blue", "--stack", "acme/ams/dev", "--bake", "90s", "--dry-run"],
      "/repo",
    );
    assert.ok(other !== "help");
    assert.equal(other.bakeMs, 90_000);
    assert.equal(other.dryRun, true);
  });

  const bad: [string[], RegExp][] = [
    [["--stack", "prod", "--to", "purple"], /--to "purple" is not a color; allowed: blue, green/],
    [
      ["--stack", "prod", "--to", "green", "--bake", "10x"],
      /--bake "10x" is not allowed; allowed: .*90s, 10m or 1h/,
    ],
    [
      ["--stack", "prod", "--to", "green", "--bake", "25h"],
      /--bake "25h" is not allowed; allowed: .* from 1s to 24h/,
    ],
    [["--stack", "prod", "--to", "green", "--bake", "0s"], /--bake "0s"/],
    [["--stack", "prod", "--to", "green", "--poll", "1s"], /--poll "1s" is not allowed; allowed: .* from 5s/],
    [["--to", "green"], /--stack is required/],
    [["--stack", "prod"], /--to is required; allowed: blue, green/],
    [["--stack", "prod; rm -rf /", "--to", "green"], /--stack "prod; rm -rf \/" is not a stack name/],
    [["--stack", "prod", "--to", "green", "--force"], /Unknown flag "--force"/],
    [["--stack", "prod", "--to"], /--to needs a value/],
  ];
  for (const [argv, message] of bad)
    it(`rejects ${argv.join(" ")}`, () => {
      assert.throws(
        () => parseCutoverFlags(argv, "/repo"),
        (error: Error) => error instanceof UsageError && message.test(error.message),
      );
    });

  it("rollback: reason defaults to manual; a multi-line reason is refused naming the flag", () => {
    assert.deepEqual(parseRollbackFlags(["--stack", "prod"], "/repo"), {
      stack: "prod",
      reason: "manual",
      workDir: "/repo",
    });
    assert.throws(
      () => parseRollbackFlags(["--stack", "prod", "--reason", "a\nb"], "/repo"),
      /--reason "a\nb" is not allowed/,
    );
  });

  it("the command exits 2 naming the flag, before touching any stack", () => {
    const entry = path.resolve(__dirname, "..", "..", "tools", "cutover.ts");
    const result = spawnSync(
      process.execPath,
      ["--require", "tsx/cjs", entry, "--stack", "prod", "--to", "purple"],
      {
        encoding: "utf8",
        // No pulumi on PATH: were the stack opened, the exit code would be 1, not 2.
        env: { ...process.env, PATH: path.dirname(process.execPath) },
      },
    );
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /--to "purple" is not a color; allowed: blue, green/);
  });
});

describe("cut-over: the decision state machine (pure)", () => {
  const plan: CutoverPlan = { stack: "prod", to: "green", bakeMs: 100_000, pollMs: 30_000, dryRun: false };
  const ok = (at: number) => ({ kind: "alarmsRead" as const, at, firing: [], missing: [] });

  it("passes pre-checks → flip → polls every 30 s, the last sleep cut to the end of the bake → done", () => {
    let step = decide(plan, INITIAL_STATE, { kind: "preChecked", failures: [] });
    assert.deepEqual(step.action, {
      kind: "flip",
      color: "green",
      message: "cutover: activeColor blue→green (prod)",
    });
    step = decide(plan, step.state, { kind: "upSucceeded", at: T0 });
    assert.deepEqual(step.action, { kind: "pollAlarms" });
    const sleeps: number[] = [];
    let at = T0;
    for (;;) {
      step = decide(plan, step.state, ok(at));
      if (step.action.kind !== "sleep") break;
      sleeps.push(step.action.ms);
      at += step.action.ms;
      step = decide(plan, step.state, { kind: "slept", at });
      assert.deepEqual(step.action, { kind: "pollAlarms" });
    }
    // 100 s of bake in 30 s polls: 30 + 30 + 30 + 10.
    assert.deepEqual(sleeps, [30_000, 30_000, 30_000, 10_000]);
    assert.equal(step.action.kind, "finish");
    if (step.action.kind === "finish") assert.equal(step.action.outcome.exitCode, EXIT.ok);
  });

  it(`${MAX_UNREADABLE_POLLS} unreadable polls in a row → roll back; a good read in between resets the count`, () => {
    let step = decide(plan, INITIAL_STATE, { kind: "preChecked", failures: [] });
    step = decide(plan, step.state, { kind: "upSucceeded", at: T0 });
    const unreadable = (at: number) => ({ kind: "alarmsUnreadable" as const, at, error: "Throttling" });
    step = decide(plan, step.state, unreadable(T0));
    step = decide(plan, step.state, unreadable(T0 + 30_000));
    step = decide(plan, step.state, ok(T0 + 60_000));
    step = decide(plan, step.state, unreadable(T0 + 90_000));
    step = decide(plan, step.state, unreadable(T0 + 120_000));
    assert.equal(step.action.kind, "sleep");
    step = decide(plan, step.state, unreadable(T0 + 150_000));
    assert.deepEqual(step.action, {
      kind: "flip",
      color: "blue",
      message: "rollback: activeColor green→blue (alarms unreadable at 2026-03-02T10:02:30.000Z)",
    });
  });

  it("an event the phase does not expect is a bug, not a silent no-op", () => {
    assert.throws(
      () => decide(plan, INITIAL_STATE, { kind: "slept", at: T0 }),
      /"slept" is not expected in phase "preChecking"/,
    );
  });
});

describe("cut-over: the orchestrator with in-memory adapters and a fake clock", () => {
  it("success without alarms: flip, bake the full 10 minutes, exit 0, nothing else changed", async () => {
    const run = await cutover();
    assert.equal(run.code, EXIT.ok, run.stderr);
    assert.deepEqual(run.world.changes(), [
      "set ams:activeColor green",
      'up "cutover: activeColor blue→green (prod)"',
    ]);
    // Pre-check read (#0), then one read at the flip and every 30 s until 10 min later: 21 reads.
    const reads = run.world.log.filter((entry) => entry.includes("read alarms"));
    assert.equal(reads.length, 1 + 21);
    // The up took 90 s; the bake then ran exactly 10 minutes on the fake clock.
    assert.equal(run.world.now - T0, 90_000 + 600_000);
    assert.match(
      run.stdout,
      /no alarm fired during the 10m bake \(2026-03-02T10:01:30\.000Z to 2026-03-02T10:11:30\.000Z\)/,
    );
    assert.equal(run.stack.declared, "green");
    // The Git copy of the stack file must follow, or the next push-triggered deployment flips back.
    assert.match(run.stdout, /Pulumi\.prod\.yaml now declares activeColor green: commit it/);
    // The probe went through the preview route with its headers; the printed URL has no query (token).
    assert.deepEqual(run.probed[0].headers, { "X-AMS-Preview": "true" });
    assert.match(
      run.stdout,
      /health probe of green \(idle full\) via the preview route \(https:\/\/api\.example\.com\/actuator\/health\/readiness\): HTTP 200/,
    );
    assert.ok(!run.stdout.includes("token=x"));
  });

  it("alarm during the bake: rolls back with the config restored and reports what fired and when, exit 3", async () => {
    const since = new Date("2026-03-02T10:03:55Z");
    const fired: AlarmState = {
      name: "ams-prod-api-5xx",
      state: "ALARM",
      reason: "Threshold Crossed: 1 datapoint [7.1] was greater than the threshold (5.0).",
      since,
    };
    // Read #6 happens at flip + 5 × 30 s = 10:01:30 + 2m30s = 10:04:00.
    const run = await cutover({}, undefined, (world) => fakeAlarms(world, { 6: fired }));
    assert.equal(run.code, EXIT.rolledBack);
    assert.deepEqual(run.world.changes(), [
      "set ams:activeColor green",
      'up "cutover: activeColor blue→green (prod)"',
      "set ams:activeColor blue",
      'up "rollback: activeColor green→blue (alarm ams-prod-api-5xx at 2026-03-02T10:03:55.000Z)"',
    ]);
    assert.equal(run.stack.declared, "blue");
    assert.equal(run.stack.outputValues.activeColor, "blue");
    assert.ok(run.world.log.includes("+240s read alarms #6"), run.world.log.join("\n"));
    assert.match(run.stderr, /ROLLED BACK: ams:activeColor is blue again/);
    assert.match(run.stderr, /seen at 2026-03-02T10:04:00\.000Z, 2m30s into the 10m bake/);
    assert.match(
      run.stderr,
      /ams-prod-api-5xx: ALARM since 2026-03-02T10:03:55\.000Z — Threshold Crossed: 1 datapoint \[7\.1\]/,
    );
    // No alarm read after the one that fired: the rollback starts at once.
    assert.equal(run.world.log.filter((entry) => entry.includes("read alarms")).length, 7);
  });

  it("up failure: config restored, up run again to converge, clear error, exit 1", async () => {
    const run = await cutover({}, (stack) => {
      stack.upResults = ["Job ams-api-smoke-green-1-5-0 failed: BackoffLimitExceeded"];
    });
    assert.equal(run.code, EXIT.failed);
    assert.deepEqual(run.world.changes(), [
      "set ams:activeColor green",
      'up "cutover: activeColor blue→green (prod)"',
      "set ams:activeColor blue",
      'up "rollback: activeColor green→blue (cutover up failed)"',
    ]);
    assert.equal(run.stack.declared, "blue");
    assert.match(
      run.stderr,
      /Cut-over of prod to green FAILED; ams:activeColor was set back to blue and pulumi up converged/,
    );
    assert.match(run.stderr, /Job ams-api-smoke-green-1-5-0 failed: BackoffLimitExceeded/);
    assert.ok(
      !run.world.log.some((entry) => entry.includes("read alarms #1")),
      "no bake after a failed flip",
    );
  });

  it("the rollback's own up fails: loud half-switched error with the exact manual commands, exit 1", async () => {
    const fired: AlarmState = {
      name: "ams-prod-queue-backlog",
      state: "ALARM",
      reason: "age > 300",
      since: undefined,
    };
    const run = await cutover(
      {},
      (stack) => {
        stack.upResults = [true, "kubernetes:core/v1:Service ams-release-api-stable: timeout"];
      },
      (world) => fakeAlarms(world, { 1: fired }),
    );
    assert.equal(run.code, EXIT.failed);
    assert.match(run.stderr, /ROLLBACK FAILED on stack prod: the environment may be HALF-SWITCHED/);
    assert.ok(run.stderr.includes("pulumi config set activeColor blue --stack prod"), run.stderr);
    assert.ok(run.stderr.includes("pulumi up --stack prod"), run.stderr);
    assert.match(run.stderr, /ams-release-api-stable: timeout/);
    // The failed rollback was the last thing tried: nothing after it.
    assert.equal(
      run.world.changes().at(-1),
      'up "rollback: activeColor green→blue (alarm ams-prod-queue-backlog at 2026-03-02T10:01:30.000Z)"',
    );
  });

  it("--dry-run runs every pre-check and changes nothing", async () => {
    const run = await cutover({ dryRun: true });
    assert.equal(run.code, EXIT.ok, run.stderr);
    assert.deepEqual(run.world.changes(), []);
    assert.equal(run.stack.declared, "blue");
    assert.deepEqual(run.world.log, ["+0s read outputs", "+0s probe", "+0s read alarms #0"]);
    assert.match(run.stdout, /Dry run: the pre-checks passed; nothing was changed/);
    assert.match(
      run.stdout,
      /set ams:activeColor to green and run pulumi up -m "cutover: activeColor blue→green \(prod\)"/,
    );
  });

  const refusals: [string, (stack: FakeStack) => void, RegExp][] = [
    [
      "the target is already active",
      (s) => (s.outputValues.activeColor = "green"),
      /green is already the active color/,
    ],
    [
      "the idle color has no version",
      (s) => (s.outputValues.idleVersion = ""),
      /idle color green has no version/,
    ],
    [
      "the last update failed",
      (s) => (s.last = { kind: "update", result: "failed", endTime: undefined }),
      /the last update failed/,
    ],
    [
      "the strategy is not blue-green",
      (s) => (s.outputValues.strategy = "canary"),
      /strategy is "canary"; cut-over and rollback need "blueGreen"/,
    ],
    [
      "a flip is pending",
      (s) => (s.declared = "green"),
      /declared "green" but the last update applied "blue"/,
    ],
    [
      "an output is missing",
      (s) => delete s.outputValues.cutoverAlarmNames,
      /"cutoverAlarmNames" is missing/,
    ],
  ];
  for (const [what, setup, message] of refusals)
    it(`refuses (exit 4, nothing changed) when ${what}`, async () => {
      const run = await cutover({}, setup);
      assert.equal(run.code, EXIT.refused);
      assert.match(run.stderr, message);
      assert.deepEqual(run.world.changes(), []);
    });

  it("refuses when the idle color answers the probe with 503, and when an alarm is already in ALARM", async () => {
    const unhealthy = await cutover({}, undefined, undefined, 503);
    assert.equal(unhealthy.code, EXIT.refused);
    assert.match(unhealthy.stderr, /green is not healthy: HTTP 503/);
    const firing: AlarmState = {
      name: "ams-prod-api-p95",
      state: "ALARM",
      reason: "p95 1.9 s",
      since: undefined,
    };
    const alarmed = await cutover({}, undefined, (world) => fakeAlarms(world, { 0: firing }));
    assert.equal(alarmed.code, EXIT.refused);
    assert.match(alarmed.stderr, /alarm "ams-prod-api-p95" is already in ALARM: p95 1\.9 s/);
    assert.deepEqual([...unhealthy.world.changes(), ...alarmed.world.changes()], []);
  });

  it("a scaled-down idle color is probed too: its warm pod answers the preview route", async () => {
    const run = await cutover(
      { dryRun: true },
      (stack) => (stack.outputValues.idleColorPolicy = "scaledDown"),
    );
    assert.equal(run.code, EXIT.ok);
    assert.equal(run.probed.length, 1);
    assert.match(run.stdout, /health probe of green \(idle scaledDown\) via the preview route/);
  });

  it("alarms unreadable three times in a row during the bake → rolled back", async () => {
    const run = await cutover({}, undefined, (world) => fakeAlarms(world, {}, [2, 3, 4]));
    assert.equal(run.code, EXIT.rolledBack);
    assert.match(run.stderr, /could not be read 3 times in a row/);
    assert.match(run.stderr, /ThrottlingException: Rate exceeded/);
    assert.equal(run.stack.declared, "blue");
  });
});

describe("rollback: the orchestrator", () => {
  async function rollback(reason: string, setup: (stack: FakeStack) => void = () => undefined) {
    const world = new World();
    const stack = new FakeStack(world);
    setup(stack);
    let stdout = "";
    let stderr = "";
    const code = await runRollback(
      { stack: "prod", reason, workDir: "unused" },
      { stack, progress: quiet, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
    );
    return { code, stdout, stderr, world, stack };
  }

  it("flips the declared active color to the other one at once, with the reason in the message", async () => {
    const run = await rollback("manual", (stack) => {
      stack.declared = "green";
      stack.outputValues.activeColor = "green";
      stack.outputValues.idleColor = "blue";
    });
    assert.equal(run.code, EXIT.ok, run.stderr);
    assert.deepEqual(run.world.changes(), [
      "set ams:activeColor blue",
      'up "rollback: activeColor green→blue (manual)"',
    ]);
    assert.match(run.stdout, /Pulumi\.prod\.yaml now declares activeColor blue: commit it/);
  });

  it("after a half-done flip it follows the declared color, not the stale outputs", async () => {
    const run = await rollback("INC-42", (stack) => (stack.declared = "green"));
    assert.equal(run.code, EXIT.ok, run.stderr);
    assert.deepEqual(run.world.changes(), [
      "set ams:activeColor blue",
      'up "rollback: activeColor green→blue (INC-42)"',
    ]);
    assert.match(run.stdout, /declared green but the last update applied blue/);
  });

  it("its own up failing is the loud error with the manual commands, exit 1", async () => {
    const run = await rollback("manual", (stack) => (stack.upResults = ["update canceled"]));
    assert.equal(run.code, EXIT.failed);
    assert.match(run.stderr, /HALF-SWITCHED/);
    assert.ok(run.stderr.includes("pulumi config set activeColor green --stack prod"));
  });

  it("refuses when the idle color has no version", async () => {
    const run = await rollback("manual", (stack) => (stack.outputValues.idleVersion = ""));
    assert.equal(run.code, EXIT.refused);
    assert.deepEqual(run.world.changes(), []);
  });
});

describe("cut-over: progress output", () => {
  it("off a terminal it prints phases and at most one 'time left' line a minute", () => {
    let now = T0;
    const lines: string[] = [];
    const progress = createProgress({ isTTY: false, write: (text: string) => lines.push(text) }, () => now);
    progress.phase("flip: activeColor → green, pulumi up");
    progress.activity("pulumi up: 3 resource steps done");
    for (let left = 600_000; left >= 0; left -= 30_000) {
      progress.bake(left, 600_000);
      now += 30_000;
    }
    progress.stop();
    const bakeLines = lines.filter((line) => line.includes("bake:"));
    // 21 polls over 10 minutes: one line a minute (0, 1, …, 9 min → 10 lines) plus the final "0s left".
    assert.equal(bakeLines.length, 11);
    assert.equal(bakeLines[0], "  bake: 10m left of 10m\n");
    assert.equal(bakeLines.at(-1), "  bake: 0s left of 10m\n");
    assert.ok(!lines.some((line) => line.includes("resource steps")));
  });
});
