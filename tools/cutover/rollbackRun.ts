import { isColor, otherColor } from "./color";
import { readRelease } from "./contract";
import { EXIT } from "./exitCodes";
import { RollbackFlags } from "./flags";
import { commitReminder, errorText, halfSwitchedError, rollbackMessage } from "./messages";
import { Progress, StackPort } from "./ports";

export interface RollbackDeps {
  readonly stack: StackPort;
  readonly progress: Progress;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * Flips back at once: the declared active color gives way to the other one. The declared config is read
 * rather than the outputs because after a half-done flip the config names the color being left while the
 * outputs still name the old one; flipping "away from the outputs" would then repeat the bad flip.
 */
export async function runRollback(flags: RollbackFlags, deps: RollbackDeps): Promise<number> {
  const { progress } = deps;
  progress.phase(`rollback of ${flags.stack}: reading the stack`);
  const read = readRelease(await deps.stack.outputs());
  if (!read.ok) return refuse(flags, deps, read.problems);
  const { release } = read;
  const declared = (await deps.stack.declaredActiveColor()) ?? release.activeColor;
  if (!isColor(declared))
    return refuse(flags, deps, [`ams:activeColor is declared "${declared}", not blue or green`]);
  const to = otherColor(declared);
  if (declared === release.activeColor && release.idleVersion === "")
    return refuse(flags, deps, [
      `${to} has no version (idleVersion is empty): there is nothing to roll back to`,
    ]);
  if (declared !== release.activeColor)
    deps.stdout(
      `  ams:activeColor is declared ${declared} but the last update applied ${release.activeColor}: ` +
        `rolling the declared flip back to ${to}\n`,
    );

  progress.phase(`rollback: activeColor ${declared} → ${to}, pulumi up`);
  try {
    await deps.stack.setActiveColor(to);
    await deps.stack.up(rollbackMessage(declared, to, flags.reason), (done) =>
      progress.activity(`pulumi up: ${done} resource steps done`),
    );
  } catch (error) {
    progress.stop();
    deps.stderr(halfSwitchedError(flags.stack, to, errorText(error)).join("\n") + "\n");
    return EXIT.failed;
  }
  progress.stop();
  deps.stdout(
    `Rolled back ${flags.stack}: ams:activeColor is ${to} and pulumi up succeeded (${flags.reason}).\n` +
      `${commitReminder(flags.stack, to)}\n`,
  );
  return EXIT.ok;
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
