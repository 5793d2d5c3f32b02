import { describePulumiError } from "../cli/pulumiStack";
import { Color } from "../../config/types";
import { isColor, otherColor } from "../../config/release";
import { readCutoverRelease } from "../../release/outputs";
import { readState, waitUnlessInterrupted } from "./cutoverRun";
import { EXIT } from "../cli/exitCodes";
import { RollbackFlags } from "./flags";
import { retryWhileLocked } from "./lockRetry";
import { rollbackMessage } from "../../release/history";
import { commitReminder, errorText, halfSwitchedError, stackStateLines } from "./messages";
import { Clock, Interrupts, Progress, StackPort } from "./ports";

export interface RollbackDeps {
  readonly stack: StackPort;
  readonly interrupts: Interrupts;
  readonly clock: Clock;
  readonly progress: Progress;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Waits between attempts when another update holds the lock (default LOCK_RETRY_DELAYS_MS). */
  readonly lockRetryDelaysMs?: readonly number[];
}

/**
 * Flips back at once: the declared active color gives way to the other one. The declared config is read
 * rather than the outputs because after a half-done flip the config names the color being left while the
 * outputs still name the old one; flipping "away from the outputs" would then repeat the bad flip.
 */
export async function runRollback(flags: RollbackFlags, deps: RollbackDeps): Promise<number> {
  const { progress } = deps;
  progress.phase(`rollback of ${flags.stack}: reading the stack`);
  let declaredBefore: string | undefined;
  let applied: Color;
  let declared: Color;
  try {
    const read = readCutoverRelease(await deps.stack.outputs());
    if (!read.ok) return refuse(flags, deps, read.problems);
    applied = read.release.activeColor;
    declaredBefore = await deps.stack.declaredActiveColor();
    const current = declaredBefore ?? applied;
    if (!isColor(current))
      return refuse(flags, deps, [`ams:activeColor is declared "${current}", not blue or green`]);
    declared = current;
    if (declared === applied && read.release.idleVersion === "")
      return refuse(flags, deps, [
        `${otherColor(declared)} has no version (idleVersion is empty): there is nothing to roll back to`,
      ]);
  } catch (error) {
    progress.stop();
    deps.stderr(
      `Rollback of ${flags.stack} could not run; nothing was changed:\n  ${describePulumiError(error, flags.stack)}\n`,
    );
    return EXIT.nothingChanged;
  }
  const to = otherColor(declared);
  if (declared !== applied)
    deps.stdout(
      `  ams:activeColor is declared ${declared} but the last update applied ${applied}: ` +
        `rolling the declared flip back to ${to}\n`,
    );
  if (deps.interrupts.count > 0) return interruptedBefore(flags, deps);

  progress.phase(`rollback: activeColor ${declared} → ${to}, pulumi up`);
  try {
    await deps.stack.declareActiveColor(to);
  } catch (error) {
    progress.stop();
    deps.stderr(
      `Rollback of ${flags.stack} could not set ams:activeColor; nothing was changed: ${errorText(error)}\n`,
    );
    return EXIT.nothingChanged;
  }
  const outcome = await retryWhileLocked(
    () =>
      deps.stack.up(rollbackMessage(declared, to, flags.reason), {
        interrupts: deps.interrupts,
        onStep: (done) => progress.activity(`pulumi up: ${done} resource steps done`),
      }),
    (ms) => waitUnlessInterrupted(deps, ms),
    (line) => deps.stderr(`  ${line}\n`),
    deps.lockRetryDelaysMs,
  );
  progress.stop();
  const restore = isColor(declaredBefore) ? declaredBefore : undefined;

  if (outcome.ok) {
    if (outcome.note) deps.stderr(`  ${outcome.note}\n`);
    const done =
      `Rolled back ${flags.stack}: ams:activeColor is ${to} and pulumi up succeeded (${flags.reason}).\n` +
      `${commitReminder(flags.stack, to)}\n`;
    if (deps.interrupts.count > 0) {
      deps.stderr(`Interrupted, but the rollback had already finished.\n${done}`);
      return EXIT.interrupted;
    }
    deps.stdout(done);
    return EXIT.ok;
  }
  if (outcome.applied === "nothing") {
    // The update changed nothing: the config goes back to what it said, so file and stack agree again.
    try {
      await deps.stack.declareActiveColor(restore);
    } catch (error) {
      deps.stderr(
        `${halfSwitchedError(flags.stack, to, outcome.error, true, outcome.locked).join("\n")}\n` +
          `ams:activeColor could not be set back to ${declared} either (${errorText(error)}).\n`,
      );
      return EXIT.manual;
    }
    if (deps.interrupts.count > 0) {
      deps.stderr(
        `Rollback of ${flags.stack} INTERRUPTED before its update changed anything; ams:activeColor is ` +
          `${declared} again as before. Nothing was changed; traffic stays on ${declared}.\n`,
      );
      return EXIT.interrupted;
    }
    deps.stderr(`${halfSwitchedError(flags.stack, to, outcome.error, true, outcome.locked).join("\n")}\n`);
    deps.stderr(`Nothing was changed: ams:activeColor is ${declared} again, as before.\n`);
    return EXIT.nothingChanged;
  }
  if (deps.interrupts.count > 0) {
    const lines = [
      `Rollback of ${flags.stack} INTERRUPTED during its pulumi up, which was cancelled: the stack may be ` +
        `HALF-SWITCHED; ams:activeColor declares ${to}.`,
      `Finish the rollback now: pulumi up --stack ${flags.stack}`,
      ...stackStateLines(flags.stack, await readState(deps.stack)),
    ];
    deps.stderr(lines.join("\n") + "\n");
    return EXIT.interrupted;
  }
  deps.stderr(halfSwitchedError(flags.stack, to, outcome.error, false, outcome.locked).join("\n") + "\n");
  return EXIT.manual;
}

function interruptedBefore(flags: RollbackFlags, deps: RollbackDeps): number {
  deps.progress.stop();
  deps.stderr(`Rollback of ${flags.stack} interrupted before it changed anything; nothing was changed.\n`);
  return EXIT.interrupted;
}

function refuse(flags: RollbackFlags, deps: RollbackDeps, problems: readonly string[]): number {
  deps.progress.stop();
  deps.stderr(
    [`Rollback of ${flags.stack} refused; nothing was changed:`, ...problems.map((p) => `  - ${p}`)].join(
      "\n",
    ) + "\n",
  );
  return EXIT.refused;
}
