import { stackFileName } from "../cli/flags";
import { Color } from "../../config/types";
import { StackState } from "./ports";

/** Operator-facing texts of the cut-over and rollback (their update messages: release/history.ts). */

/**
 * The stack file is the declared truth in Git too: until the changed `activeColor` is merged, a
 * Git-triggered deployment of the same stack would apply the committed color again.
 */
export function commitReminder(stack: string, color: Color): string {
  return (
    `Pulumi.${stackFileName(stack)}.yaml now declares activeColor ${color}: commit it and merge it (PR) so ` +
    `the next Git-triggered deployment keeps ${color}.`
  );
}

/** The commands that finish a flip by hand: the same two steps the tool runs. */
export function manualCommands(stack: string, color: Color): string[] {
  return [`pulumi config set activeColor ${color} --stack ${stack}`, `pulumi up --stack ${stack}`];
}

/** What to do about another update holding the stack's lock. */
export function lockHint(stack: string): string {
  return (
    `Another update holds the lock of stack ${stack} (a Pulumi Deployments run, drift detection, a ` +
    `teammate's pulumi up). Wait until it has finished (pulumi stack history --stack ${stack}, or the ` +
    `stack's Deployments tab), then run again. Never pulumi cancel an update you did not start.`
  );
}

/**
 * The failure nobody may miss: the update that should have put traffic back on `target` failed. When it
 * changed nothing, traffic is still on the other color; otherwise the routing objects may be split.
 */
export function halfSwitchedError(
  stack: string,
  target: Color,
  error: string,
  nothingApplied = false,
  locked = false,
): string[] {
  const bar = "!".repeat(78);
  const away = target === "blue" ? "green" : "blue";
  return [
    bar,
    nothingApplied
      ? `!!! ROLLBACK NOT APPLIED on stack ${stack}: traffic is still on ${away}, not back on ${target}.`
      : `!!! ROLLBACK FAILED on stack ${stack}: the environment may be HALF-SWITCHED between blue and green.`,
    `!!! The update that should have moved traffic back to ${target} failed:`,
    ...indent(lastLines(error, 12), "!!!   "),
    ...(locked ? [`!!! ${lockHint(stack)}`] : []),
    `!!! Finish the rollback by hand now:`,
    ...manualCommands(stack, target).map((command) => `!!!     ${command}`),
    `!!! Then check which color the api Service selects (docs/runbook-bluegreen.md, "Known limits").`,
    bar,
  ];
}

/** What the stack looks like after an interrupted update, and how to clean up what a terminated CLI leaves. */
export function stackStateLines(stack: string, state: StackState | undefined): string[] {
  const lines: string[] = [];
  const newest = state?.newest;
  lines.push(
    newest
      ? `Stack ${stack} now: newest update v${newest.version} (${newest.kind}) is ${newest.result}.`
      : `Stack ${stack} now: its history could not be read.`,
  );
  if (newest?.result === "in-progress")
    lines.push(
      `  It is still in progress: the CLI was terminated and the update holds the stack's lock. Once no`,
      `  pulumi process runs for it any more: pulumi cancel --stack ${stack}`,
    );
  const pending = state?.pendingOperations;
  if (pending === undefined)
    lines.push(`  Pending operations: unknown (pulumi stack export --stack ${stack}).`);
  else if (pending.length === 0) lines.push(`  No pending operations.`);
  else
    lines.push(
      `  ${pending.length} pending operation(s), interrupted half-way: check these resources in the cluster,`,
      ...pending.map((urn) => `    ${urn}`),
      `  then pulumi refresh --stack ${stack} clears them (docs/runbook-cutover.md, "Interrupted or locked").`,
    );
  return lines;
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
