import { missingAwsCredentials } from "../cli/prerequisites";
import { describePulumiError } from "../cli/pulumiStack";
import { Color } from "../../config/types";
import { isColor } from "../../config/release";
import { CutoverAction, CutoverEvent, CutoverPlan, CutoverState, decide, INITIAL_STATE } from "./decision";
import { formatDuration } from "../cli/time";
import { EXIT } from "../cli/exitCodes";
import { CutoverFlags } from "./flags";
import { retryWhileLocked } from "./lockRetry";
import { errorText, stackStateLines } from "./messages";
import { PreCheckResult, runPreChecks } from "./preChecks";
import {
  AlarmPort,
  CheckoutPort,
  Clock,
  ExpectedFlip,
  HealthProbe,
  Interrupts,
  Progress,
  StackPort,
  StackState,
} from "./ports";

export interface CutoverDeps {
  readonly stack: StackPort;
  readonly alarmsIn: (region: string) => AlarmPort;
  readonly probe: HealthProbe;
  readonly checkout: CheckoutPort;
  readonly expectedFlip: ExpectedFlip;
  readonly interrupts: Interrupts;
  readonly clock: Clock;
  readonly progress: Progress;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Waits between attempts when the stack is locked on the way back (default LOCK_RETRY_DELAYS_MS). */
  readonly lockRetryDelaysMs?: readonly number[];
}

/** How long the stack's state may take to read after an interrupt before the tool exits without it. */
const STATE_READ_TIMEOUT_MS = 30_000;

/**
 * Runs the cut-over: pre-checks, then the decision state machine, performing each action it asks for
 * with the adapters. Returns the exit code.
 */
export async function runCutover(flags: CutoverFlags, deps: CutoverDeps): Promise<number> {
  const plan: CutoverPlan = {
    stack: flags.stack,
    to: flags.to,
    bakeMs: flags.bakeMs,
    pollMs: flags.pollMs,
    dryRun: flags.dryRun,
  };
  const { progress } = deps;
  // One reader for the pre-check and the bake: one client, one connection pool.
  let reader: { region: string; port: AlarmPort } | undefined;
  const alarmsIn = (region: string): AlarmPort => {
    if (reader?.region !== region) reader = { region, port: deps.alarmsIn(region) };
    return reader.port;
  };
  // The interrupt goes to the state machine once, with the result of the action it cut short.
  let interruptSeen = false;
  const noticeInterrupt = (event: CutoverEvent): CutoverEvent => {
    if (interruptSeen || deps.interrupts.count === 0) return event;
    interruptSeen = true;
    return { kind: "interrupted", at: deps.clock.now(), last: event };
  };

  progress.phase(`pre-checks of ${plan.stack}${plan.dryRun ? " (dry run)" : ""}`);
  let checked: PreCheckResult | undefined;
  let event: CutoverEvent;
  try {
    checked = await runPreChecks(
      {
        stack: deps.stack,
        alarmsIn,
        probe: deps.probe,
        checkout: deps.checkout,
        expectedFlip: deps.expectedFlip,
        interrupts: deps.interrupts,
        note: (line) => deps.stdout(`  ${line}\n`),
      },
      plan.to,
    );
    event = { kind: "preChecked", failures: checked.failures };
  } catch (error) {
    event = { kind: "preCheckError", error: describePulumiError(error, plan.stack) };
  }
  event = noticeInterrupt(event);
  const alarms = checked?.release ? alarmsIn(checked.release.region) : undefined;
  const names = checked?.release?.cutoverAlarmNames ?? [];
  // Going back restores the declaration exactly: a stack file that relied on the project default gets no
  // explicit activeColor line (the pre-checks made sure the declaration matched the applied color).
  const declared = checked?.declared;
  const declaredBefore: Color | undefined = isColor(declared) ? declared : undefined;

  let state: CutoverState = INITIAL_STATE;
  let touched = false;
  try {
    for (;;) {
      const step = decide(plan, state, event);
      state = step.state;
      const action: CutoverAction = step.action;
      switch (action.kind) {
        case "finish": {
          progress.stop();
          const lines = [...action.outcome.lines];
          if (action.outcome.reportState)
            lines.push(...stackStateLines(plan.stack, await readState(deps.stack)));
          const write = action.outcome.exitCode === 0 ? deps.stdout : deps.stderr;
          write(lines.join("\n") + "\n");
          return action.outcome.exitCode;
        }
        case "flip": {
          const forward = state.phase === "flipping";
          progress.phase(
            forward
              ? `flip: activeColor → ${action.color}, pulumi up`
              : `back: activeColor → ${action.color}, pulumi up`,
          );
          touched = true;
          event = await flip(deps, forward ? action.color : declaredBefore, action.message, !forward);
          break;
        }
        case "restoreDeclaration":
          event = await restoreDeclaration(deps.stack, declaredBefore);
          break;
        case "pollAlarms":
          event = await poll(deps.clock, alarms, names);
          if (state.phase === "baking")
            progress.bake(Math.max(0, state.endsAt - deps.clock.now()), plan.bakeMs);
          break;
        case "sleep":
          if (state.phase === "baking" && state.unreadable > 0)
            deps.stderr(
              `  alarms could not be read (${state.unreadable} in a row); retrying in ${formatDuration(action.ms)}\n`,
            );
          await waitUnlessInterrupted(deps, action.ms);
          event = { kind: "slept", at: deps.clock.now() };
          break;
      }
      event = noticeInterrupt(event);
    }
  } catch (error) {
    // A bug, not a CLI failure (those are outcomes): say plainly whether anything may have changed.
    progress.stop();
    deps.stderr(
      touched
        ? `error after the flip began (phase ${state.phase}): ${errorText(error)}\n` +
            `${stackStateLines(plan.stack, await readState(deps.stack)).join("\n")}\n` +
            `Check which color the api Service selects (docs/runbook-bluegreen.md, "Known limits").\n`
        : `error before anything was changed: ${errorText(error)}\n`,
    );
    return touched ? EXIT.manual : EXIT.nothingChanged;
  }
}

/**
 * Declares the color, then runs `pulumi up`. On the way back (`retryLocks`) a lock held by another update is
 * waited out, boundedly: the flip must not stay without its rollback because a Deployments run was busy.
 */
async function flip(
  deps: CutoverDeps,
  declaration: Color | undefined,
  message: string,
  retryLocks: boolean,
): Promise<CutoverEvent> {
  const failed = (error: string): Extract<CutoverEvent, { kind: "upFailed" }> => ({
    kind: "upFailed",
    at: deps.clock.now(),
    error,
    applied: "unknown",
    locked: false,
  });
  try {
    await deps.stack.declareActiveColor(declaration);
  } catch (error) {
    return { ...failed(`setting ams:activeColor failed: ${errorText(error)}`), applied: "nothing" };
  }
  const attempt = () =>
    deps.stack.up(message, {
      interrupts: deps.interrupts,
      onStep: (done) => deps.progress.activity(`pulumi up: ${done} resource steps done`),
    });
  try {
    const outcome = retryLocks
      ? await retryWhileLocked(
          attempt,
          (ms) => waitUnlessInterrupted(deps, ms),
          (line) => deps.stderr(`  ${line}\n`),
          deps.lockRetryDelaysMs,
        )
      : await attempt();
    if (outcome.ok) {
      if (outcome.note) deps.stderr(`  ${outcome.note}\n`);
      return { kind: "upSucceeded", at: deps.clock.now() };
    }
    return {
      kind: "upFailed",
      at: deps.clock.now(),
      error: outcome.error,
      applied: outcome.applied,
      locked: outcome.locked,
    };
  } catch (error) {
    return failed(errorText(error));
  }
}

async function restoreDeclaration(stack: StackPort, declaration: Color | undefined): Promise<CutoverEvent> {
  try {
    await stack.declareActiveColor(declaration);
    return { kind: "declarationRestored" };
  } catch (error) {
    return { kind: "declarationNotRestored", error: errorText(error) };
  }
}

async function poll(
  clock: Clock,
  alarms: AlarmPort | undefined,
  names: readonly string[],
): Promise<CutoverEvent> {
  try {
    if (!alarms) throw new Error("no alarm reader: the release outputs were not read");
    const reading = await alarms.read(names);
    return {
      kind: "alarmsRead",
      at: clock.now(),
      firing: reading.alarms.filter((alarm) => alarm.state === "ALARM"),
      missing: reading.missing,
    };
  } catch (error) {
    return {
      kind: "alarmsUnreadable",
      at: clock.now(),
      error: missingAwsCredentials(error) ?? errorText(error),
    };
  }
}

/** Sleeps on the clock, cut short by an interrupt. */
export function waitUnlessInterrupted(
  deps: { clock: Clock; interrupts: Interrupts },
  ms: number,
): Promise<"waited" | "interrupted"> {
  if (deps.interrupts.count > 0) return Promise.resolve("interrupted");
  return new Promise((resolve) => {
    const unsubscribe = deps.interrupts.subscribe(() => {
      unsubscribe();
      resolve("interrupted");
    });
    void deps.clock.sleep(ms).then(() => {
      unsubscribe();
      resolve("waited");
    });
  });
}

/** The stack's state after an interrupt, best effort: the operator gets the next steps either way. */
export async function readState(stack: StackPort): Promise<StackState | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), STATE_READ_TIMEOUT_MS);
  });
  try {
    return await Promise.race([stack.state().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
