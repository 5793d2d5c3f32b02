import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { EXIT } from "../../../tools/cli/exitCodes";
import { ONE_PRESS_MS } from "../../../tools/cutover/interrupts";
import { PROJECT_DIR } from "../../../tools/cli/project";
import { DEPLOYED, ROUTING, Sandbox, sandbox } from "../../helpers/fakePulumi";

/**
 * Ctrl-C as it really arrives: the command runs in a child process of its own process group (as in a
 * terminal, where the tool, npm, tsx and the Pulumi CLI all share the foreground group), the fake CLI takes
 * signals the way the real one does (first: cancel gracefully; second: terminate — pulumi/pulumi
 * pkg/backend/cancellation_scope.go), and the test sends the signals a terminal, `npm run` and tsx would.
 */

const COMMAND = path.join(PROJECT_DIR, "tests", "fakes", "cutoverCommand.ts");
/** A cut-over with a bake long enough to be interrupted in. */
const CUTOVER = ["cutover", "--stack", "dev", "--to", "green", "--bake", "1h", "--poll", "5s"];

interface Started {
  readonly child: ChildProcess;
  /** What it printed to stderr so far (progress lines included). */
  stderr(): string;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

const running = new Set<ChildProcess>();

function start(box: Sandbox, args: string[]): Started {
  const child = spawn(process.execPath, ["--require", "tsx/cjs", COMMAND, ...args, "--cwd", box.workDir], {
    cwd: PROJECT_DIR,
    // Its own process group: `process.kill(-pid)` then reaches every process in it, like a terminal's Ctrl-C.
    detached: true,
    env: {
      ...process.env,
      ...box.env,
      FAKE_PULUMI_ROOT: box.root,
      FAKE_HEAD: DEPLOYED,
      FAKE_CANCEL_GRACE_MS: "500",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (data) => (stdout += data));
  child.stderr!.on("data", (data) => (stderr += data));
  running.add(child);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, done, stderr: () => stderr };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The fake CLI's `up` has started its first resource step. */
const upRunning = (box: Sandbox) => () => box.calls().some((call) => call.argv?.[0] === "up");
const signalsToCli = (box: Sandbox) =>
  box
    .calls()
    .filter((call) => call.signal)
    .map((call) => call.signal);

/** A terminal's Ctrl-C: SIGINT to the whole foreground process group. */
const ctrlC = (started: Started) => process.kill(-started.child.pid!, "SIGINT");

describe("cut-over under Ctrl-C (child process, real signals, the fake CLI's signal handling)", function () {
  this.timeout(120_000);

  // A failed test must not leave its command (and the fake CLI) running in the background.
  afterEach(() => {
    for (const child of running) process.kill(-child.pid!, "SIGKILL");
    running.clear();
  });

  it("Ctrl-C in the terminal during the flip: the CLI gets one SIGINT and cancels; no second update; state and next steps, exit 130", async () => {
    const box = sandbox();
    box.edit((state) => (state.stepDelayMs = 1_500));
    const started = start(box, CUTOVER);
    await until("the flip's update", upRunning(box));
    await sleep(300);
    ctrlC(started);
    // npm (run-script's signal-manager) and tsx's CLI forward the same press to the tool again.
    await sleep(30);
    process.kill(started.child.pid!, "SIGINT");
    const result = await started.done;
    assert.equal(result.code, EXIT.interrupted, result.stderr);
    // The terminal's SIGINT only: the tool neither aborted the CLI on top nor left it execa's SIGTERM.
    assert.deepEqual(signalsToCli(box), ["SIGINT"]);
    const [newest] = box.state().history;
    assert.equal(newest.result, "failed", "cancelled gracefully: the update ended, the lock is released");
    assert.equal(box.state().lock, undefined);
    assert.equal(box.changes().filter((change) => change.startsWith("up")).length, 1);
    assert.match(result.stderr, /interrupt: stopping\. A running Pulumi update is cancelled/);
    assert.match(result.stderr, /INTERRUPTED during its pulumi up, which was cancelled/);
    assert.match(result.stderr, /npm run rollback -- --stack dev --reason "interrupted cut-over"/);
    assert.match(result.stderr, /newest update v2 \(update\) is failed\.\n {2}No pending operations\./);
  });

  it("`kill -INT` to the tool alone (the CLI heard nothing): the tool cancels the CLI with exactly one SIGINT", async () => {
    const box = sandbox();
    box.edit((state) => (state.stepDelayMs = 1_500));
    const started = start(box, CUTOVER);
    await until("the flip's update", upRunning(box));
    await sleep(300);
    process.kill(started.child.pid!, "SIGINT");
    const result = await started.done;
    assert.equal(result.code, EXIT.interrupted, result.stderr);
    assert.deepEqual(signalsToCli(box), ["SIGINT"]);
    assert.equal(box.state().history[0].result, "failed");
    assert.equal(box.state().lock, undefined);
  });

  it("a second Ctrl-C terminates the CLI: the stack stays locked with a pending operation, and the tool says what to do", async () => {
    const box = sandbox();
    box.edit((state) => (state.stepDelayMs = 4_000));
    const started = start(box, CUTOVER);
    await until("the flip's update", upRunning(box));
    await sleep(300);
    ctrlC(started);
    await sleep(ONE_PRESS_MS + 300);
    ctrlC(started);
    const result = await started.done;
    assert.equal(result.code, EXIT.interrupted, result.stderr);
    assert.deepEqual(signalsToCli(box), ["SIGINT", "SIGINT"]);
    assert.equal(box.state().history[0].result, "in-progress");
    assert.match(result.stderr, /second interrupt/);
    assert.match(result.stderr, /newest update v2 \(update\) is in-progress/);
    assert.match(result.stderr, /pulumi cancel --stack dev/);
    assert.ok(result.stderr.includes(ROUTING[0]), result.stderr);
    assert.match(result.stderr, /pulumi refresh --stack dev clears them/);
  });

  it("Ctrl-C during the bake: no CLI runs; the flip stays applied and the tool says it is no longer watched", async () => {
    const box = sandbox();
    const started = start(box, CUTOVER);
    // The plain progress prints a "bake:" line once the first alarm read after the flip is done.
    await until("the bake", () => started.stderr().includes("bake: 1h left"));
    await sleep(500);
    ctrlC(started);
    const result = await started.done;
    assert.equal(result.code, EXIT.interrupted, result.stderr);
    assert.deepEqual(signalsToCli(box), []);
    assert.equal(box.state().config["ams:activeColor"], "green");
    assert.match(result.stderr, /into the 1h bake: the flip to green is applied and NO LONGER WATCHED/);
  });

  it("the stack locked by another update: exit 5, one update tried, the config as before", async () => {
    const box = sandbox();
    box.edit((state) => (state.lock = { holder: "pulumi-deployments" }));
    const result = await start(box, ["cutover", "--stack", "dev", "--to", "green", "--bake", "1h"]).done;
    assert.equal(result.code, EXIT.nothingChanged, result.stderr);
    assert.equal(box.changes().filter((change) => change.startsWith("up")).length, 1);
    assert.equal(box.state().config["ams:activeColor"], "blue");
    assert.match(result.stderr, /Another update holds the lock of stack dev/);
  });
});
