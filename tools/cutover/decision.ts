import { Color, otherColor } from "./color";
import { formatDuration } from "./duration";
import { EXIT } from "./exitCodes";
import { commitReminder, cutoverMessage, halfSwitchedError, lastLines, rollbackMessage } from "./messages";
import { AlarmState } from "./ports";

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

export type CutoverState =
  | { readonly phase: "preChecking" }
  | { readonly phase: "flipping" }
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
  | { readonly kind: "upSucceeded"; readonly at: number }
  | { readonly kind: "upFailed"; readonly at: number; readonly error: string }
  | {
      readonly kind: "alarmsRead";
      readonly at: number;
      readonly firing: readonly AlarmState[];
      readonly missing: readonly string[];
    }
  | { readonly kind: "alarmsUnreadable"; readonly at: number; readonly error: string }
  | { readonly kind: "slept"; readonly at: number };

export interface Outcome {
  readonly exitCode: number;
  /** What the operator reads last; errors go to stderr. */
  readonly lines: readonly string[];
}

export type CutoverAction =
  /** Set `ams:activeColor` to `color`, then `pulumi up --message <message>`. */
  | { readonly kind: "flip"; readonly color: Color; readonly message: string }
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
  switch (state.phase) {
    case "preChecking":
      if (event.kind !== "preChecked") break;
      if (event.failures.length > 0)
        return finish(EXIT.refused, [
          `Cut-over of ${plan.stack} to ${plan.to} refused by the pre-checks; nothing was changed:`,
          ...event.failures.map((failure) => `  - ${failure}`),
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
      // The failed update may have moved some routing objects already (the gates run before routing, but
      // a later step can still fail), so the old color is declared again and applied, not just declared.
      if (event.kind === "upFailed")
        return {
          state: { phase: "restoring", cause: event.error },
          action: { kind: "flip", color: from, message: rollbackMessage(plan.to, from, "cutover up failed") },
        };
      break;

    case "restoring":
      if (event.kind === "upSucceeded")
        return finish(EXIT.failed, [
          `Cut-over of ${plan.stack} to ${plan.to} FAILED; ams:activeColor was set back to ${from} and ` +
            `pulumi up converged the stack on ${from}. The cut-over's update failed with:`,
          ...lastLines(state.cause, 12).map((line) => `  ${line}`),
        ]);
      if (event.kind === "upFailed")
        return finish(EXIT.failed, halfSwitchedError(plan.stack, from, event.error));
      break;

    case "baking":
      return bake(plan, state, event, from);

    case "rollingBack":
      if (event.kind === "upSucceeded") return finish(EXIT.rolledBack, rollbackReport(plan, state, event.at));
      if (event.kind === "upFailed")
        return finish(EXIT.failed, halfSwitchedError(plan.stack, from, event.error));
      break;

    case "done":
      break;
  }
  throw new Error(`cut-over state machine: event "${event.kind}" is not expected in phase "${state.phase}"`);
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

function finish(exitCode: number, lines: readonly string[]): Step {
  return { state: { phase: "done" }, action: { kind: "finish", outcome: { exitCode, lines } } };
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
