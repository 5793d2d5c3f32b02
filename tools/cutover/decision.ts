import { Color } from "../../config/types";
import { otherColor } from "../../config/release";
import { formatDuration } from "../cli/time";
import { EXIT } from "../cli/exitCodes";
import { cutoverMessage, rollbackMessage } from "../../release/history";
import { commitReminder, halfSwitchedError, lastLines, lockHint } from "./messages";
import { AlarmState, Applied } from "./ports";

/**
 * The cut-over as a pure state machine: `decide(plan, state, event)` returns the next state and the one
 * action the orchestrator performs; performing it yields the next event. All time comes in on events, so a
 * test drives the whole bake with a fake clock and never waits.
 */

export interface CutoverPlan {
  readonly stack: string;
  readonly to: Color;
  readonly bakeMs: number;
  readonly pollMs: number;
  readonly dryRun: boolean;
}

/** Consecutive unreadable alarm polls after which the flip is treated as unwatched and rolled back. */
export const MAX_UNREADABLE_POLLS = 3;

export type Trigger =
  | { readonly kind: "alarm"; readonly at: number; readonly firing: readonly AlarmState[] }
  | { readonly kind: "unwatched"; readonly at: number; readonly error: string };

type UpFailed = Extract<CutoverEvent, { kind: "upFailed" }>;

export type CutoverState =
  | { readonly phase: "preChecking" }
  | { readonly phase: "flipping" }
  /** The flip's update changed nothing: only the stack config is set back. */
  | { readonly phase: "undoing"; readonly failure: UpFailed; readonly interrupted: boolean }
  /** The flip's update changed something: the old color is declared and applied again. */
  | { readonly phase: "restoring"; readonly cause: string }
  | {
      readonly phase: "baking";
      readonly startedAt: number;
      readonly endsAt: number;
      readonly unreadable: number;
    }
  | { readonly phase: "rollingBack"; readonly trigger: Trigger; readonly bakeStartedAt: number }
  | { readonly phase: "done" };

export type CutoverEvent =
  | { readonly kind: "preChecked"; readonly failures: readonly string[] }
  /** The pre-checks could not run at all (no CLI, not logged in, no such stack): nothing was touched. */
  | { readonly kind: "preCheckError"; readonly error: string }
  | { readonly kind: "upSucceeded"; readonly at: number }
  | {
      readonly kind: "upFailed";
      readonly at: number;
      readonly error: string;
      /** What the failed update changed (updateOutcome.ts). */
      readonly applied: Applied;
      /** Another update held the stack's lock (after the retries, on the way back). */
      readonly locked: boolean;
    }
  | { readonly kind: "declarationRestored" }
  | { readonly kind: "declarationNotRestored"; readonly error: string }
  | {
      readonly kind: "alarmsRead";
      readonly at: number;
      readonly firing: readonly AlarmState[];
      readonly missing: readonly string[];
    }
  | { readonly kind: "alarmsUnreadable"; readonly at: number; readonly error: string }
  | { readonly kind: "slept"; readonly at: number }
  /** Ctrl-C or SIGTERM arrived while the action that produced `last` ran. */
  | { readonly kind: "interrupted"; readonly at: number; readonly last: CutoverEvent };

export interface Outcome {
  readonly exitCode: number;
  /** What the operator reads last; errors go to stderr. */
  readonly lines: readonly string[];
  /** An update was cut short: the stack's state (lock, pending operations) is read and shown too. */
  readonly reportState?: boolean;
}

export type CutoverAction =
  /** Declare `ams:activeColor` `color` (going back: as it was declared before), then `pulumi up -m <message>`. */
  | { readonly kind: "flip"; readonly color: Color; readonly message: string }
  /** Set the stack config back to what it declared before the flip; no update. */
  | { readonly kind: "restoreDeclaration" }
  | { readonly kind: "pollAlarms" }
  | { readonly kind: "sleep"; readonly ms: number }
  | { readonly kind: "finish"; readonly outcome: Outcome };

export interface Step {
  readonly state: CutoverState;
  readonly action: CutoverAction;
}

export const INITIAL_STATE: CutoverState = { phase: "preChecking" };

export function decide(plan: CutoverPlan, state: CutoverState, event: CutoverEvent): Step {
  const from = otherColor(plan.to);
  if (event.kind === "interrupted") return interrupted(plan, state, event);
  switch (state.phase) {
    case "preChecking":
      if (event.kind === "preCheckError")
        return finish(EXIT.nothingChanged, [
          `Cut-over of ${plan.stack} to ${plan.to} could not run; nothing was changed:`,
          ...lastLines(event.error, 12).map((line) => `  ${line}`),
        ]);
      if (event.kind !== "preChecked") break;
      if (event.failures.length > 0)
        return finish(EXIT.refused, [
          `Cut-over of ${plan.stack} to ${plan.to} refused by the pre-checks; nothing was changed:`,
          ...event.failures.map((failure) => (failure.startsWith("    ") ? failure : `  - ${failure}`)),
        ]);
      if (plan.dryRun)
        return finish(EXIT.ok, [
          `Dry run: the pre-checks passed; nothing was changed. A real run would:`,
          `  1. set ams:activeColor to ${plan.to} and run pulumi up -m "${cutoverMessage(plan.stack, from, plan.to)}"`,
          `  2. watch the alarms for ${formatDuration(plan.bakeMs)}, reading them every ${formatDuration(plan.pollMs)}`,
          `  3. on an alarm: set ams:activeColor back to ${from}, run pulumi up again and exit ${EXIT.rolledBack}`,
        ]);
      return {
        state: { phase: "flipping" },
        action: { kind: "flip", color: plan.to, message: cutoverMessage(plan.stack, from, plan.to) },
      };

    case "flipping":
      if (event.kind === "upSucceeded")
        return {
          state: { phase: "baking", startedAt: event.at, endsAt: event.at + plan.bakeMs, unreadable: 0 },
          action: { kind: "pollAlarms" },
        };
      // Nothing changed (a lock, a config, program or policy error before any resource): running the update
      // again for the old color would fail the same way and cry "half-switched"; only the config goes back.
      if (event.kind === "upFailed" && event.applied === "nothing")
        return {
          state: { phase: "undoing", failure: event, interrupted: false },
          action: { kind: "restoreDeclaration" },
        };
      // The failed update may have moved some routing objects already (the gates run before routing, but
      // a later step can still fail), so the old color is declared again and applied, not just declared.
      if (event.kind === "upFailed")
        return {
          state: { phase: "restoring", cause: event.error },
          action: { kind: "flip", color: from, message: rollbackMessage(plan.to, from, "cutover up failed") },
        };
      break;

    case "undoing":
      if (event.kind === "declarationRestored")
        return state.interrupted
          ? finish(EXIT.interrupted, [
              `Cut-over of ${plan.stack} to ${plan.to} interrupted; its update was cancelled before it changed ` +
                `anything and ams:activeColor is back to ${from} as before. Nothing was changed.`,
            ])
          : finish(EXIT.nothingChanged, notApplied(plan, state.failure));
      if (event.kind === "declarationNotRestored")
        return finish(EXIT.manual, [
          `Cut-over of ${plan.stack} to ${plan.to} did not happen: its update changed nothing, but ` +
            `ams:activeColor still declares ${plan.to} and could not be set back (${event.error}).`,
          `Set it back by hand, or the next pulumi up flips without a bake:`,
          `  pulumi config set activeColor ${from} --stack ${plan.stack}`,
        ]);
      break;

    case "restoring":
      if (event.kind === "upSucceeded")
        return finish(EXIT.failed, [
          `Cut-over of ${plan.stack} to ${plan.to} FAILED; ams:activeColor is back to ${from} and ` +
            `pulumi up converged the stack on ${from}. The cut-over's update failed with:`,
          ...lastLines(state.cause, 12).map((line) => `  ${line}`),
        ]);
      if (event.kind === "upFailed")
        return finish(EXIT.manual, halfSwitchedError(plan.stack, from, event.error, false, event.locked));
      break;

    case "baking":
      return bake(plan, state, event, from);

    case "rollingBack":
      if (event.kind === "upSucceeded") return finish(EXIT.rolledBack, rollbackReport(plan, state, event.at));
      if (event.kind === "upFailed")
        return finish(
          EXIT.manual,
          halfSwitchedError(plan.stack, from, event.error, event.applied === "nothing", event.locked),
        );
      break;

    case "done":
      break;
  }
  throw new Error(`cut-over state machine: event "${event.kind}" is not expected in phase "${state.phase}"`);
}

/** The flip's update changed nothing and the config is as before: say why, and what to do. */
function notApplied(plan: CutoverPlan, failure: UpFailed): string[] {
  const from = otherColor(plan.to);
  return [
    `Cut-over of ${plan.stack} to ${plan.to} did not happen: its pulumi up failed before changing anything, ` +
      `and ams:activeColor is back to ${from} as before. Nothing was changed.`,
    ...(failure.locked ? [lockHint(plan.stack)] : []),
    `The update failed with:`,
    ...lastLines(failure.error, 12).map((line) => `  ${line}`),
  ];
}

/**
 * Ctrl-C: the CLI has cancelled its update (it lets running resource operations finish) and the tool stops
 * without starting another one. What it says depends on where the interrupt came.
 */
function interrupted(
  plan: CutoverPlan,
  state: CutoverState,
  event: Extract<CutoverEvent, { kind: "interrupted" }>,
): Step {
  const from = otherColor(plan.to);
  const { last } = event;
  const head = `Cut-over of ${plan.stack} to ${plan.to} INTERRUPTED`;
  const rollbackCommand = `npm run rollback -- --stack ${plan.stack} --reason "interrupted cut-over"`;
  switch (state.phase) {
    case "preChecking":
      return finish(EXIT.interrupted, [`${head} during the pre-checks; nothing was changed.`]);
    case "flipping":
      if (last.kind === "upSucceeded")
        return finish(EXIT.interrupted, [
          `${head} right after the flip: traffic is on ${plan.to} and NOBODY IS WATCHING the alarms.`,
          `Watch them yourself (${formatDuration(plan.bakeMs)}), or go back at once: ${rollbackCommand}`,
          commitReminder(plan.stack, plan.to),
        ]);
      if (last.kind === "upFailed" && last.applied === "nothing")
        return {
          state: { phase: "undoing", failure: last, interrupted: true },
          action: { kind: "restoreDeclaration" },
        };
      return finish(
        EXIT.interrupted,
        [
          `${head} during its pulumi up, which was cancelled: some routing objects may already serve ` +
            `${plan.to} (HALF-SWITCHED); ams:activeColor declares ${plan.to}.`,
          `Go back to ${from}: ${rollbackCommand}`,
          `or finish the flip: pulumi up --stack ${plan.stack} (then watch the alarms yourself).`,
        ],
        true,
      );
    case "undoing":
      return decide(plan, { ...state, interrupted: true }, last);
    case "baking":
      return finish(EXIT.interrupted, [
        `${head} ${formatDuration(event.at - state.startedAt)} into the ${formatDuration(plan.bakeMs)} bake: ` +
          `the flip to ${plan.to} is applied and NO LONGER WATCHED.`,
        `Watch the alarms yourself for the rest of the bake, or go back at once: ${rollbackCommand}`,
        commitReminder(plan.stack, plan.to),
      ]);
    case "restoring":
    case "rollingBack":
      if (last.kind === "upSucceeded")
        return finish(EXIT.interrupted, [
          `${head}, but the update that put the stack back on ${from} had already succeeded: ` +
            `ams:activeColor is ${from} and the stack runs ${from}.`,
        ]);
      return finish(
        EXIT.interrupted,
        [
          `${head} while going back to ${from}: that update was cancelled, so the stack may be ` +
            `HALF-SWITCHED; ams:activeColor declares ${from}.`,
          `Finish going back now: pulumi up --stack ${plan.stack}`,
        ],
        true,
      );
    case "done":
      break;
  }
  throw new Error(`cut-over state machine: "interrupted" is not expected in phase "${state.phase}"`);
}

function bake(
  plan: CutoverPlan,
  state: Extract<CutoverState, { phase: "baking" }>,
  event: CutoverEvent,
  from: Color,
): Step {
  switch (event.kind) {
    case "slept":
      return { state, action: { kind: "pollAlarms" } };
    case "alarmsRead":
      if (event.firing.length > 0) {
        const first = event.firing[0];
        const when = (first.since ?? new Date(event.at)).toISOString();
        return {
          state: {
            phase: "rollingBack",
            trigger: { kind: "alarm", at: event.at, firing: event.firing },
            bakeStartedAt: state.startedAt,
          },
          action: {
            kind: "flip",
            color: from,
            message: rollbackMessage(plan.to, from, `alarm ${first.name} at ${when}`),
          },
        };
      }
      // An alarm deleted mid-bake would silently stop being watched: count it as an unreadable poll.
      if (event.missing.length > 0)
        return unreadable(plan, state, event.at, `alarms not found: ${event.missing.join(", ")}`, from);
      if (event.at >= state.endsAt) return finish(EXIT.ok, successReport(plan, state, event.at));
      return {
        state: { ...state, unreadable: 0 },
        action: { kind: "sleep", ms: Math.min(plan.pollMs, state.endsAt - event.at) },
      };
    case "alarmsUnreadable":
      return unreadable(plan, state, event.at, event.error, from);
    default:
      throw new Error(`cut-over state machine: event "${event.kind}" is not expected in phase "baking"`);
  }
}

/** A flip nobody can watch is not a healthy flip: after a few failed reads, go back to the known color. */
function unreadable(
  plan: CutoverPlan,
  state: Extract<CutoverState, { phase: "baking" }>,
  at: number,
  error: string,
  from: Color,
): Step {
  const count = state.unreadable + 1;
  if (count < MAX_UNREADABLE_POLLS)
    return { state: { ...state, unreadable: count }, action: { kind: "sleep", ms: plan.pollMs } };
  return {
    state: {
      phase: "rollingBack",
      trigger: { kind: "unwatched", at, error },
      bakeStartedAt: state.startedAt,
    },
    action: {
      kind: "flip",
      color: from,
      message: rollbackMessage(plan.to, from, `alarms unreadable at ${new Date(at).toISOString()}`),
    },
  };
}

function finish(exitCode: number, lines: readonly string[], reportState = false): Step {
  return { state: { phase: "done" }, action: { kind: "finish", outcome: { exitCode, lines, reportState } } };
}

function successReport(plan: CutoverPlan, state: { startedAt: number }, at: number): string[] {
  return [
    `Cut-over of ${plan.stack} to ${plan.to} done: no alarm fired during the ${formatDuration(at - state.startedAt)} bake ` +
      `(${new Date(state.startedAt).toISOString()} to ${new Date(at).toISOString()}).`,
    commitReminder(plan.stack, plan.to),
  ];
}

function rollbackReport(
  plan: CutoverPlan,
  state: Extract<CutoverState, { phase: "rollingBack" }>,
  at: number,
): string[] {
  const from = otherColor(plan.to);
  const { trigger } = state;
  const into = formatDuration(trigger.at - state.bakeStartedAt);
  const head = `Cut-over of ${plan.stack} to ${plan.to} ROLLED BACK: ams:activeColor is ${from} again and pulumi up finished at ${new Date(at).toISOString()}.`;
  if (trigger.kind === "unwatched")
    return [
      head,
      `The alarms could not be read ${MAX_UNREADABLE_POLLS} times in a row (last at ${new Date(trigger.at).toISOString()}, ${into} into the bake):`,
      `  ${trigger.error}`,
    ];
  return [
    head,
    `What fired (seen at ${new Date(trigger.at).toISOString()}, ${into} into the ${formatDuration(plan.bakeMs)} bake):`,
    ...trigger.firing.map(
      (alarm) =>
        `  - ${alarm.name}: ${alarm.state} since ${alarm.since?.toISOString() ?? "unknown"} — ${alarm.reason}`,
    ),
  ];
}
