import { Color } from "./color";

/**
 * Update messages and operator-facing texts. The update messages are a contract: the DORA report counts
 * `rollback:` updates as failed changes, so their prefixes must not drift.
 */

/** How a flip back starts its update message; `npm run dora` counts such updates as rollback flips. */
export const ROLLBACK_PREFIX = "rollback:";

export function cutoverMessage(stack: string, from: Color, to: Color): string {
  return `cutover: activeColor ${from}→${to} (${stack})`;
}

export function rollbackMessage(from: Color, to: Color, reason: string): string {
  return `${ROLLBACK_PREFIX} activeColor ${from}→${to} (${reason})`;
}

/**
 * The stack file is the declared truth in Git too: until the changed `activeColor` is merged, a
 * Git-triggered deployment of the same stack would apply the committed color again.
 */
export function commitReminder(stack: string, color: Color): string {
  return (
    `Pulumi.${stack}.yaml now declares activeColor ${color}: commit it and merge it (PR) so the next ` +
    `Git-triggered deployment keeps ${color}.`
  );
}

/** The commands that finish a flip by hand: the same two steps the tool runs. */
export function manualCommands(stack: string, color: Color): string[] {
  return [`pulumi config set activeColor ${color} --stack ${stack}`, `pulumi up --stack ${stack}`];
}

/**
 * The failure nobody may miss: the update that should have put traffic back on `target` failed, so the
 * routing objects may be split between the two colors.
 */
export function halfSwitchedError(stack: string, target: Color, error: string): string[] {
  const bar = "!".repeat(78);
  return [
    bar,
    `!!! ROLLBACK FAILED on stack ${stack}: the environment may be HALF-SWITCHED between blue and green.`,
    `!!! The update that should have moved traffic back to ${target} failed:`,
    ...indent(lastLines(error, 12), "!!!   "),
    `!!! Finish the rollback by hand now:`,
    ...manualCommands(stack, target).map((command) => `!!!     ${command}`),
    `!!! Then check which color the api Service selects (docs/runbook-bluegreen.md, "Known limits").`,
    bar,
  ];
}

/** The tail of a CLI error: Pulumi puts the diagnostics that matter at the end. */
export function lastLines(text: string, count: number): string[] {
  const lines = text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "");
  return lines.slice(-count);
}

function indent(lines: readonly string[], prefix: string): string[] {
  return lines.map((line) => prefix + line);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
