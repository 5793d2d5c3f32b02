import { strict as assert } from "assert";
import { EventEmitter } from "events";
import * as fs from "fs";
import * as path from "path";
import { Color } from "../../../config/types";
import { runCutover } from "../../../tools/cutover/cutoverRun";
import { CutoverPlan, decide, INITIAL_STATE, MAX_UNREADABLE_POLLS } from "../../../tools/cutover/decision";
import { formatDuration, parseDuration } from "../../../tools/cli/time";
import { EXIT } from "../../../tools/cli/exitCodes";
import { CutoverFlags, parseCutoverFlags, parseRollbackFlags } from "../../../tools/cutover/flags";
import { UsageError } from "../../../tools/cli/usageError";
import { ONE_PRESS_MS, processInterrupts } from "../../../tools/cutover/interrupts";
import { LOCK_RETRY_DELAYS_MS, retryWhileLocked } from "../../../tools/cutover/lockRetry";
import { commitReminder } from "../../../tools/cutover/messages";
import {
  AlarmPort,
  AlarmState,
  Applied,
  ExpectedChange,
  Interrupts,
  PlannedStep,
  Progress,
  RunOptions,
  StackPort,
  StackState,
  UpdateEntry,
  UpdateOutcome,
} from "../../../tools/cutover/ports";
import { ProbeTarget } from "../../../release/outputs";
import { createProgress } from "../../../tools/cutover/progress";
import { runRollback } from "../../../tools/cutover/rollbackRun";
import { appliedByFailedUpdate, checkFlipPreview } from "../../../tools/cutover/updateOutcome";
import { PROJECT_DIR } from "../../../tools/cli/project";

const T0 = Date.parse("2026-03-02T10:00:00Z");
const ALARMS = ["ams-prod-api-5xx", "ams-prod-api-p95", "ams-prod-unhealthy-hosts", "ams-prod-queue-backlog"];
/** The commit prod last deployed, and the checkout's. */
const DEPLOYED = "a1".repeat(20);
const PREFIX = "urn:pulumi:prod::ams::ams:delivery:BlueGreenRelease$ams:delivery:BlueGreenService$";
/** What the offline plan says a flip changes (a slice of the real `plan --compare activeColor=green`). */
const EXPECTED: ExpectedChange[] = [
  { urn: `${PREFIX}kubernetes:core/v1:Service::ams-release-api-stable`, op: "update" },
  { urn: `${PREFIX}kubernetes:core/v1:Service::ams-release-api-preview`, op: "update" },
  { urn: `${PREFIX}kubernetes:networking.k8s.io/v1:Ingress::ams-release-api-public`, op: "update" },
];

/** Everything every fake did, in order, with the fake clock's time: the tests read the story from it. */
class World {
  now = T0;
  readonly log: string[] = [];
  record(entry: string): void {
    this.log.push(`+${(this.now - T0) / 1000}s ${entry}`);
  }
  /** Only what changes the stack (the config or its resources). */
  changes(): string[] {
    return this.log
      .filter((entry) => / (set|unset|up) /.test(entry))
      .map((entry) => entry.replace(/^\+\S+ /, ""));
  }
}

/** Ctrl-C, pressed by the test. */
class FakeInterrupts implements Interrupts {
  count = 0;
  private readonly listeners = new Set<(count: number) => void>();
  subscribe(listener: (count: number) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  press(): void {
    this.count += 1;
    for (const listener of [...this.listeners]) listener(this.count);
  }
}

/** A failed update as the adapter reports it. */
interface Failure {
  readonly error: string;
  readonly applied?: Applied;
  readonly locked?: boolean;
}

const LOCKED: Failure = {
  error:
    "Another update holds the lock of stack prod: [409] Conflict: Another update is currently in progress.",
  applied: "nothing",
  locked: true,
};

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
  entries: UpdateEntry[] = [
    {
      version: 7,
      kind: "update",
      result: "succeeded",
      endTime: new Date(T0 - 3_600_000),
      message: "deploy greenVersion 1.5.0",
      gitHead: DEPLOYED,
      gitDirty: false,
      resourceChanges: { same: 140, update: 4 },
    },
  ];
  /** Outcome of each `up`, consumed in order: true succeeds, a string fails having changed something. */
  upResults: (true | string | Failure)[] = [];
  /** How long each `up` takes on the fake clock. */
  upTakesMs = 90_000;
  /** Called while an `up` runs (to press Ctrl-C in the middle of one). */
  duringUp: (() => void) | undefined;
  previewSteps: PlannedStep[] = EXPECTED.map(({ urn, op }) => ({ urn, op }));
  previewError: string | undefined;
  pending: string[] = [];

  constructor(private readonly world: World) {}
  async outputs() {
    this.world.record("read outputs");
    return structuredClone(this.outputValues);
  }
  async history(count: number) {
    return this.entries.slice(0, count);
  }
  async declaredActiveColor() {
    return this.declared;
  }
  async declareActiveColor(color: Color | undefined) {
    this.world.record(color === undefined ? "unset ams:activeColor" : `set ams:activeColor ${color}`);
    this.declared = color;
  }
  async up(message: string, options: RunOptions): Promise<UpdateOutcome> {
    this.world.record(`up "${message}"`);
    this.world.now += this.upTakesMs;
    options.onStep?.(1);
    this.duringUp?.();
    const result = this.upResults.shift() ?? true;
    if (result === true) {
      this.outputValues.activeColor = this.declared ?? "blue";
      return { ok: true };
    }
    const failure = typeof result === "string" ? { error: `code: 255\n stderr: ${result}` } : result;
    return {
      ok: false,
      error: failure.error,
      applied: failure.applied ?? "some",
      locked: failure.locked ?? false,
    };
  }
  async previewActiveColor(color: Color) {
    this.world.record(`preview activeColor ${color}`);
    if (this.previewError) return { ok: false as const, error: this.previewError };
    return { ok: true as const, steps: this.previewSteps };
  }
  async state(): Promise<StackState> {
    return { newest: this.entries[0], pendingOperations: this.pending };
  }
}

/** Alarms all OK except where `firing` says: read number → the alarm that is in ALARM on that read. */
function fakeAlarms(
  world: World,
  firing: Record<number, AlarmState> = {},
  failing: number[] = [],
  onRead: (n: number) => void = () => undefined,
): AlarmPort {
  let reads = 0;
  return {
    async read(names) {
      const n = reads++;
      world.record(`read alarms #${n}`);
      onRead(n);
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

interface Setup {
  stack?: (stack: FakeStack) => void;
  alarms?: (world: World, interrupts: FakeInterrupts) => AlarmPort;
  probeStatus?: number;
  head?: string;
  localChanges?: string[];
  interrupts?: FakeInterrupts;
}

async function cutover(options: Partial<CutoverFlags> = {}, setup: Setup = {}): Promise<Run> {
  const world = new World();
  const stack = new FakeStack(world);
  const interrupts = setup.interrupts ?? new FakeInterrupts();
  setup.stack?.(stack);
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
  const probeStatus = setup.probeStatus ?? 200;
  const code = await runCutover(flags, {
    stack,
    alarmsIn: (region) => {
      assert.equal(region, "ap-northeast-2");
      return (setup.alarms ?? ((w) => fakeAlarms(w)))(world, interrupts);
    },
    probe: async (target) => {
      probed.push(target);
      world.record("probe");
      return { ok: probeStatus < 300, detail: `HTTP ${probeStatus}` };
    },
    checkout: { head: async () => setup.head ?? DEPLOYED, changes: async () => setup.localChanges ?? [] },
    expectedFlip: async () => EXPECTED,
    interrupts,
    clock: {
      now: () => world.now,
      sleep: async (ms) => {
        world.now += ms;
      },
    },
    progress: quiet,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    lockRetryDelaysMs: [10_000, 20_000],
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

  it("a flip whose update changed nothing only sets the config back; one that changed something is undone by an update", () => {
    const flipping = decide(plan, INITIAL_STATE, { kind: "preChecked", failures: [] }).state;
    const failed = (applied: Applied) => ({
      kind: "upFailed" as const,
      at: T0,
      error: "x",
      applied,
      locked: false,
    });
    assert.deepEqual(decide(plan, flipping, failed("nothing")).action, { kind: "restoreDeclaration" });
    for (const applied of ["some", "unknown"] as const)
      assert.deepEqual(decide(plan, flipping, failed(applied)).action, {
        kind: "flip",
        color: "blue",
        message: "rollback: activeColor green→blue (cutover up failed)",
      });
  });

  it("an event the phase does not expect is a bug, not a silent no-op", () => {
    assert.throws(
      () => decide(plan, INITIAL_STATE, { kind: "slept", at: T0 }),
      /"slept" is not expected in phase "preChecking"/,
    );
  });
});

describe("cut-over: what a failed update changed, and what a flip may change", () => {
  const entry = (result: string, resourceChanges: Record<string, number>): UpdateEntry => ({
    version: 8,
    kind: "update",
    result,
    endTime: undefined,
    message: "",
    gitHead: undefined,
    gitDirty: undefined,
    resourceChanges,
  });
  const evidence = { eventsSeen: true, startedChanges: 0, maybeCorrupt: false };

  it("nothing only on positive evidence: no history entry, or events and history that show no changing step", () => {
    assert.equal(appliedByFailedUpdate({ ...evidence, entry: null }), "nothing");
    assert.equal(appliedByFailedUpdate({ ...evidence, entry: entry("failed", { same: 140 }) }), "nothing");
    assert.equal(
      appliedByFailedUpdate({ ...evidence, entry: entry("failed", { same: 139, read: 1 }) }),
      "nothing",
    );
    // A step that started and failed is in no count, but may have changed its resource half-way.
    assert.equal(
      appliedByFailedUpdate({ ...evidence, startedChanges: 1, entry: entry("failed", {}) }),
      "some",
    );
    assert.equal(appliedByFailedUpdate({ ...evidence, entry: entry("failed", { update: 1 }) }), "some");
    assert.equal(appliedByFailedUpdate({ ...evidence, maybeCorrupt: true, entry: null }), "some");
    // Without the event stream, or the history, nobody can say.
    assert.equal(
      appliedByFailedUpdate({ ...evidence, eventsSeen: false, entry: entry("failed", {}) }),
      "unknown",
    );
    assert.equal(appliedByFailedUpdate({ ...evidence, entry: undefined }), "unknown");
    assert.equal(appliedByFailedUpdate({ ...evidence, entry: entry("in-progress", {}) }), "unknown");
  });

  it("a flip's preview may change exactly what the offline plan says, in place; whatever else is named", () => {
    const same = { urn: "urn:pulumi:prod::ams::aws:rds/instance:Instance::ams-data-postgres", op: "same" };
    // The real stack's name may be org/ams/prod: URNs are compared from the project on.
    const clean = checkFlipPreview([...EXPECTED, same], EXPECTED);
    assert.deepEqual(clean, { unexpected: [], absent: [] });
    const replaced = { ...EXPECTED[0], op: "replace" };
    const rds = { ...same, op: "update" };
    const check = checkFlipPreview([replaced, EXPECTED[1], rds], EXPECTED);
    assert.deepEqual(check.unexpected, [`replace ${EXPECTED[0].urn}`, `update ${rds.urn}`]);
    assert.deepEqual(check.absent, [EXPECTED[2].urn]);
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
    // The preview ran before anything changed, and matched the offline plan.
    assert.ok(
      run.world.log.indexOf("+0s preview activeColor green") <
        run.world.log.indexOf("+0s set ams:activeColor green"),
    );
    assert.match(run.stdout, /pulumi preview of activeColor green: 3 planned changes, 3 expected/);
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
    const run = await cutover({}, { alarms: (world) => fakeAlarms(world, { 6: fired }) });
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

  it("a stack file that relied on the default gets no activeColor line from an automatic rollback", async () => {
    const fired: AlarmState = { name: "ams-prod-api-5xx", state: "ALARM", reason: "5xx", since: undefined };
    const run = await cutover(
      {},
      { stack: (stack) => (stack.declared = undefined), alarms: (world) => fakeAlarms(world, { 1: fired }) },
    );
    assert.equal(run.code, EXIT.rolledBack, run.stderr);
    assert.deepEqual(
      run.world.changes().filter((change) => !change.startsWith("up")),
      ["set ams:activeColor green", "unset ams:activeColor"],
    );
    assert.equal(run.stack.declared, undefined);
    assert.equal(run.stack.outputValues.activeColor, "blue");
  });

  it("up failure after a change: config restored, up run again to converge, clear error, exit 1", async () => {
    const run = await cutover(
      {},
      {
        stack: (stack) => (stack.upResults = ["Job ams-api-smoke-green-1-5-0 failed: BackoffLimitExceeded"]),
      },
    );
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
      /Cut-over of prod to green FAILED; ams:activeColor is back to blue and pulumi up converged/,
    );
    assert.match(run.stderr, /Job ams-api-smoke-green-1-5-0 failed: BackoffLimitExceeded/);
    assert.ok(
      !run.world.log.some((entry) => entry.includes("read alarms #1")),
      "no bake after a failed flip",
    );
  });

  const nothingApplied: [string, Failure, RegExp][] = [
    ["another update holds the lock", LOCKED, /Another update holds the lock of stack prod .*Deployments/],
    [
      "a mandatory policy violation",
      { error: "ams-workload-images: must come from the prod ECR repositories", applied: "nothing" },
      /ams-workload-images: must come from the prod ECR repositories/,
    ],
  ];
  for (const [what, failure, message] of nothingApplied)
    it(`the flip's update changed nothing (${what}): config set back, no second update, exit 5`, async () => {
      const run = await cutover({}, { stack: (stack) => (stack.upResults = [failure]) });
      assert.equal(run.code, EXIT.nothingChanged, run.stderr);
      assert.deepEqual(run.world.changes(), [
        "set ams:activeColor green",
        'up "cutover: activeColor blue→green (prod)"',
        "set ams:activeColor blue",
      ]);
      assert.match(run.stderr, /did not happen: its pulumi up failed before changing anything/);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /HALF-SWITCHED|ROLLBACK FAILED/);
    });

  it("the restoring update meets a lock: waits it out with a bounded backoff, then converges, exit 1", async () => {
    const run = await cutover(
      {},
      {
        stack: (stack) => (stack.upResults = ["smoke Job failed", LOCKED, LOCKED, true]),
      },
    );
    assert.equal(run.code, EXIT.failed, run.stderr);
    assert.equal(run.world.changes().filter((change) => change.startsWith("up")).length, 4);
    assert.match(run.stderr, /another update holds the stack's lock; trying again in 10s \(attempt 2 of 3\)/);
    assert.match(run.stderr, /trying again in 20s \(attempt 3 of 3\)/);
  });

  it("the bake's rollback meets a lock for longer than the retries: NOT APPLIED, the manual commands, exit 6", async () => {
    const fired: AlarmState = { name: "ams-prod-api-5xx", state: "ALARM", reason: "5xx", since: undefined };
    const run = await cutover(
      {},
      {
        stack: (stack) => (stack.upResults = [true, LOCKED, LOCKED, LOCKED]),
        alarms: (world) => fakeAlarms(world, { 1: fired }),
      },
    );
    assert.equal(run.code, EXIT.manual);
    assert.match(
      run.stderr,
      /ROLLBACK NOT APPLIED on stack prod: traffic is still on green, not back on blue/,
    );
    assert.match(run.stderr, /Another update holds the lock of stack prod/);
    assert.ok(run.stderr.includes("pulumi config set activeColor blue --stack prod"), run.stderr);
    // Three attempts: the first and the two retries the test allows.
    assert.equal(run.world.changes().filter((change) => change.startsWith("up")).length, 4);
  });

  it("the rollback's own up fails after a change: loud half-switched error with the exact manual commands, exit 6", async () => {
    const fired: AlarmState = {
      name: "ams-prod-queue-backlog",
      state: "ALARM",
      reason: "age > 300",
      since: undefined,
    };
    const run = await cutover(
      {},
      {
        stack: (stack) =>
          (stack.upResults = [true, "kubernetes:core/v1:Service ams-release-api-stable: timeout"]),
        alarms: (world) => fakeAlarms(world, { 1: fired }),
      },
    );
    assert.equal(run.code, EXIT.manual);
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

  it("--dry-run runs every pre-check, the preview included, and changes nothing", async () => {
    const run = await cutover({ dryRun: true });
    assert.equal(run.code, EXIT.ok, run.stderr);
    assert.deepEqual(run.world.changes(), []);
    assert.equal(run.stack.declared, "blue");
    assert.deepEqual(run.world.log, [
      "+0s read outputs",
      "+0s probe",
      "+0s read alarms #0",
      "+0s preview activeColor green",
    ]);
    assert.match(run.stdout, /Dry run: the pre-checks passed; nothing was changed/);
    assert.match(
      run.stdout,
      /set ams:activeColor to green and run pulumi up -m "cutover: activeColor blue→green \(prod\)"/,
    );
  });

  const refusals: [string, Setup, RegExp][] = [
    [
      "the target is already active",
      { stack: (s) => (s.outputValues.activeColor = "green") },
      /green is already the active color/,
    ],
    [
      "the idle color has no version",
      { stack: (s) => (s.outputValues.idleVersion = "") },
      /idle color green has no version/,
    ],
    [
      "the last update failed",
      { stack: (s) => (s.entries = [{ ...s.entries[0], version: 8, result: "failed" }, ...s.entries]) },
      /the last update failed/,
    ],
    [
      "the strategy is not blue-green",
      { stack: (s) => (s.outputValues.strategy = "canary") },
      /strategy is "canary"; cut-over and rollback need "blueGreen"/,
    ],
    [
      "a flip is pending",
      { stack: (s) => (s.declared = "green") },
      /declared "green" but the last update applied "blue"/,
    ],
    [
      "an output is missing",
      { stack: (s) => delete s.outputValues.cutoverAlarmNames },
      /"cutoverAlarmNames" is missing/,
    ],
    [
      "the checkout has local changes",
      { localChanges: ["Pulumi.prod.yaml", "components/delivery/blueGreen/routing.ts"] },
      /uncommitted changes \(Pulumi\.prod\.yaml, components\/delivery\/blueGreen\/routing\.ts\): the flip would deploy them/,
    ],
    [
      "the checkout is ahead of what prod runs (main after the release tag)",
      { head: "b2".repeat(20) },
      /the checkout is at b2b2b2b2b2b2, but the stack last deployed a1a1a1a1a1a1 \(update v7\).*git checkout a1a1/,
    ],
    [
      "the last update ran outside Git",
      { stack: (s) => (s.entries = [{ ...s.entries[0], gitHead: undefined }]) },
      /recorded no git\.head/,
    ],
    [
      "the preview plans more than the flip (an unreleased change in the checkout)",
      {
        stack: (s) =>
          s.previewSteps.push({
            urn: "urn:pulumi:prod::ams::aws:rds/instance:Instance::ams-data-postgres",
            op: "update",
          }),
      },
      /plans changes a flip does not make[^]*update urn:pulumi:prod::ams::aws:rds\/instance:Instance::ams-data-postgres/,
    ],
    [
      "the preview fails (a mandatory policy violation)",
      { stack: (s) => (s.previewError = "ams-workload-images: must come from the prod ECR repositories") },
      /pulumi preview of activeColor green failed:\n\s+ams-workload-images/,
    ],
  ];
  for (const [what, setup, message] of refusals)
    it(`refuses (exit 4, nothing changed) when ${what}`, async () => {
      const run = await cutover({}, setup);
      assert.equal(run.code, EXIT.refused, run.stderr);
      assert.match(run.stderr, message);
      assert.deepEqual(run.world.changes(), []);
    });

  it("the git.head that counts is the last succeeded update's, past later refreshes", async () => {
    const run = await cutover(
      {},
      {
        stack: (s) =>
          (s.entries = [
            { ...s.entries[0], version: 8, kind: "refresh", gitHead: "c3".repeat(20) },
            ...s.entries,
          ]),
      },
    );
    assert.equal(run.code, EXIT.ok, run.stderr);
  });

  it("refuses when the idle color answers the probe with 503, and when an alarm is already in ALARM", async () => {
    const unhealthy = await cutover({}, { probeStatus: 503 });
    assert.equal(unhealthy.code, EXIT.refused);
    assert.match(unhealthy.stderr, /green is not healthy: HTTP 503/);
    const firing: AlarmState = {
      name: "ams-prod-api-p95",
      state: "ALARM",
      reason: "p95 1.9 s",
      since: undefined,
    };
    const alarmed = await cutover({}, { alarms: (world) => fakeAlarms(world, { 0: firing }) });
    assert.equal(alarmed.code, EXIT.refused);
    assert.match(alarmed.stderr, /alarm "ams-prod-api-p95" is already in ALARM: p95 1\.9 s/);
    assert.deepEqual([...unhealthy.world.changes(), ...alarmed.world.changes()], []);
  });

  it("the pre-checks cannot read the stack (not logged in): exit 5, nothing changed, one line", async () => {
    const run = await cutover(
      {},
      {
        stack: (s) => {
          s.outputs = async () => {
            throw new Error("PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions");
          };
        },
      },
    );
    assert.equal(run.code, EXIT.nothingChanged);
    assert.match(
      run.stderr,
      /could not run; nothing was changed:\n {2}The Pulumi CLI is not logged in: run `pulumi login`/,
    );
    assert.deepEqual(run.world.changes(), []);
  });

  it("a scaled-down idle color is probed too: its warm pod answers the preview route", async () => {
    const run = await cutover(
      { dryRun: true },
      { stack: (stack) => (stack.outputValues.idleColorPolicy = "scaledDown") },
    );
    assert.equal(run.code, EXIT.ok);
    assert.equal(run.probed.length, 1);
    assert.match(run.stdout, /health probe of green \(idle scaledDown\) via the preview route/);
  });

  it("alarms unreadable three times in a row during the bake → rolled back", async () => {
    const run = await cutover({}, { alarms: (world) => fakeAlarms(world, {}, [2, 3, 4]) });
    assert.equal(run.code, EXIT.rolledBack);
    assert.match(run.stderr, /could not be read 3 times in a row/);
    assert.match(run.stderr, /ThrottlingException: Rate exceeded/);
    assert.equal(run.stack.declared, "blue");
  });

  it("a succeeded flip whose outputs could not be read afterwards is baked, not rolled back", async () => {
    const run = await cutover(
      {},
      {
        stack: (stack) => {
          const up = stack.up.bind(stack);
          stack.up = async (message, options) => {
            const outcome = await up(message, options);
            return outcome.ok
              ? {
                  ok: true,
                  note: "pulumi up succeeded (update v8); reading the stack afterwards failed: [503]",
                }
              : outcome;
          };
        },
      },
    );
    assert.equal(run.code, EXIT.ok, run.stderr);
    assert.match(run.stderr, /reading the stack afterwards failed/);
    assert.equal(run.world.changes().length, 2);
  });
});

describe("cut-over: Ctrl-C (the orchestrator's side; the CLI's side is in tests/tools/cutover/signals.process.spec.ts)", () => {
  it("during the pre-checks: nothing changed, exit 130", async () => {
    const interrupts = new FakeInterrupts();
    const run = await cutover(
      {},
      { interrupts, alarms: (world, i) => fakeAlarms(world, {}, [], () => i.press()) },
    );
    assert.equal(run.code, EXIT.interrupted);
    assert.match(run.stderr, /INTERRUPTED during the pre-checks; nothing was changed/);
    assert.deepEqual(run.world.changes(), []);
    assert.ok(!run.world.log.some((entry) => entry.includes("preview")), "no preview after the interrupt");
  });

  it("during the flip's update, which the CLI cancelled after changing something: no further update; state and next steps, exit 130", async () => {
    const interrupts = new FakeInterrupts();
    const run = await cutover(
      {},
      {
        interrupts,
        stack: (stack) => {
          stack.upResults = [{ error: "update canceled", applied: "some" }];
          stack.duringUp = () => {
            interrupts.press();
            stack.entries = [
              { ...stack.entries[0], version: 8, result: "failed", message: "cutover" },
              ...stack.entries,
            ];
          };
          stack.pending = [`${PREFIX}kubernetes:core/v1:Service::ams-release-api-stable`];
        },
      },
    );
    assert.equal(run.code, EXIT.interrupted);
    assert.deepEqual(run.world.changes(), [
      "set ams:activeColor green",
      'up "cutover: activeColor blue→green (prod)"',
    ]);
    assert.match(run.stderr, /INTERRUPTED during its pulumi up, which was cancelled: .*HALF-SWITCHED/);
    assert.match(run.stderr, /npm run rollback -- --stack prod --reason "interrupted cut-over"/);
    assert.match(run.stderr, /newest update v8 \(update\) is failed/);
    assert.match(
      run.stderr,
      /1 pending operation\(s\)[^]*ams-release-api-stable[^]*pulumi refresh --stack prod/,
    );
  });

  it("during the flip's update, cancelled before it changed anything: config set back, nothing changed, exit 130", async () => {
    const interrupts = new FakeInterrupts();
    const run = await cutover(
      {},
      {
        interrupts,
        stack: (stack) => {
          stack.upResults = [{ error: "update canceled", applied: "nothing" }];
          stack.duringUp = () => interrupts.press();
        },
      },
    );
    assert.equal(run.code, EXIT.interrupted);
    assert.equal(run.world.changes().at(-1), "set ams:activeColor blue");
    assert.match(run.stderr, /cancelled before it changed anything and ams:activeColor is back to blue/);
  });

  it("during the bake: the flip stays applied and the operator is told it is no longer watched, exit 130", async () => {
    const interrupts = new FakeInterrupts();
    const run = await cutover(
      {},
      { interrupts, alarms: (world, i) => fakeAlarms(world, {}, [], (n) => n === 4 && i.press()) },
    );
    assert.equal(run.code, EXIT.interrupted);
    assert.deepEqual(run.world.changes(), [
      "set ams:activeColor green",
      'up "cutover: activeColor blue→green (prod)"',
    ]);
    assert.match(
      run.stderr,
      /INTERRUPTED 1m30s into the 10m bake: the flip to green is applied and NO LONGER WATCHED/,
    );
    assert.match(run.stderr, /npm run rollback -- --stack prod/);
    assert.equal(run.world.log.filter((entry) => entry.includes("read alarms")).length, 5);
  });

  it("one press reaching the process three times (terminal, npm, tsx) counts once; a later press counts again", () => {
    const source = new EventEmitter();
    let now = 0;
    const interrupts = processInterrupts(
      { on: (s, l) => source.on(s, l), off: (s, l) => source.off(s, l) },
      () => now,
    );
    const seen: number[] = [];
    interrupts.subscribe((count) => seen.push(count));
    source.emit("SIGINT");
    now += 5;
    source.emit("SIGINT");
    now += 20;
    source.emit("SIGTERM");
    assert.deepEqual(seen, [1]);
    now += ONE_PRESS_MS + 1;
    source.emit("SIGINT");
    assert.deepEqual(seen, [1, 2]);
    interrupts.dispose();
    assert.equal(source.listenerCount("SIGINT"), 0);
  });
});

describe("rollback: the orchestrator", () => {
  async function rollback(
    reason: string,
    setup: (stack: FakeStack) => void = () => undefined,
    interrupts = new FakeInterrupts(),
  ) {
    const world = new World();
    const stack = new FakeStack(world);
    setup(stack);
    let stdout = "";
    let stderr = "";
    const code = await runRollback(
      { stack: "acme/ams/prod", reason, workDir: "unused" },
      {
        stack,
        interrupts,
        clock: { now: () => world.now, sleep: async (ms) => void (world.now += ms) },
        progress: quiet,
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        lockRetryDelaysMs: [10_000, 20_000],
      },
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
    // A fully qualified stack name: the file is still Pulumi.<stack>.yaml.
    assert.match(run.stdout, /^Pulumi\.prod\.yaml now declares activeColor blue: commit it/m);
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

  it("a lock held by a Deployments run is waited out with a bounded backoff", async () => {
    const run = await rollback("INC-7", (stack) => (stack.upResults = [LOCKED, true]));
    assert.equal(run.code, EXIT.ok, run.stderr);
    assert.match(run.stderr, /trying again in 10s \(attempt 2 of 3\)/);
    assert.equal(run.world.now - T0, 2 * 90_000 + 10_000);
  });

  it("a lock that outlasts the retries: not applied, config set back as it was, exit 5", async () => {
    const run = await rollback("INC-7", (stack) => (stack.upResults = [LOCKED, LOCKED, LOCKED]));
    assert.equal(run.code, EXIT.nothingChanged);
    assert.equal(run.stack.declared, "blue");
    assert.equal(run.world.changes().at(-1), "set ams:activeColor blue");
    assert.match(run.stderr, /ROLLBACK NOT APPLIED on stack acme\/ams\/prod/);
    assert.match(run.stderr, /Nothing was changed: ams:activeColor is blue again, as before/);
  });

  it("its own up failing after a change is the loud error with the manual commands, exit 6", async () => {
    const run = await rollback("manual", (stack) => (stack.upResults = ["update canceled"]));
    assert.equal(run.code, EXIT.manual);
    assert.match(run.stderr, /HALF-SWITCHED/);
    assert.ok(run.stderr.includes("pulumi config set activeColor green --stack acme/ams/prod"));
  });

  it("refuses when the idle color has no version", async () => {
    const run = await rollback("manual", (stack) => (stack.outputValues.idleVersion = ""));
    assert.equal(run.code, EXIT.refused);
    assert.deepEqual(run.world.changes(), []);
  });

  it("interrupted during its update after a change: state and the command to finish, exit 130", async () => {
    const interrupts = new FakeInterrupts();
    const run = await rollback(
      "manual",
      (stack) => {
        stack.upResults = [{ error: "update canceled", applied: "some" }];
        stack.duringUp = () => interrupts.press();
      },
      interrupts,
    );
    assert.equal(run.code, EXIT.interrupted);
    assert.match(
      run.stderr,
      /INTERRUPTED during its pulumi up[^]*Finish the rollback now: pulumi up --stack acme\/ams\/prod/,
    );
    assert.match(run.stderr, /No pending operations/);
  });
});

describe("cut-over: the lock retry", () => {
  it("retries only a lock, as often as there are delays, and stops waiting on an interrupt", async () => {
    const outcomes: UpdateOutcome[] = [
      { ok: false, error: "409", locked: true, applied: "nothing" },
      { ok: false, error: "409", locked: true, applied: "nothing" },
      { ok: false, error: "smoke failed", locked: false, applied: "some" },
    ];
    const waits: number[] = [];
    let calls = 0;
    const last = await retryWhileLocked(
      async () => outcomes[calls++],
      async (ms) => (waits.push(ms), "waited"),
      () => undefined,
      [1, 2, 3],
    );
    assert.deepEqual([calls, waits, last.ok], [3, [1, 2], false]);
    calls = 0;
    await retryWhileLocked(
      async () => outcomes[calls++],
      async () => "interrupted",
      () => undefined,
      [1, 2],
    );
    assert.equal(calls, 1);
    // The default backoff is bounded: five minutes in all.
    assert.equal(
      LOCK_RETRY_DELAYS_MS.reduce((sum, ms) => sum + ms, 0),
      300_000,
    );
  });
});

describe("cut-over: the runbook's exit-code table is the code's", () => {
  it("docs/runbook-cutover.md lists every exit code, and only those", () => {
    const runbook = fs.readFileSync(path.join(PROJECT_DIR, "docs", "runbook-cutover.md"), "utf8");
    const table = runbook.slice(runbook.indexOf("## Exit codes"));
    const documented = [...table.matchAll(/^\| (\d+) +\|/gm)].map((match) => Number(match[1]));
    assert.deepEqual(documented, Object.values(EXIT));
  });

  it("the commit reminder names the stack file of a fully qualified stack", () => {
    assert.equal(
      commitReminder("acme/ams/prod", "green"),
      "Pulumi.prod.yaml now declares activeColor green: commit it and merge it (PR) so the next Git-triggered deployment keeps green.",
    );
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
