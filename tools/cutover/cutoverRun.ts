import { Color } from "./color";
import { CutoverAction, CutoverEvent, CutoverPlan, CutoverState, decide, INITIAL_STATE } from "./decision";
import { formatDuration } from "./duration";
import { CutoverFlags } from "./flags";
import { errorText } from "./messages";
import { runPreChecks } from "./preChecks";
import { AlarmPort, Clock, HealthProbe, Progress, StackPort } from "./ports";

export interface CutoverDeps {
  readonly stack: StackPort;
  readonly alarmsIn: (region: string) => AlarmPort;
  readonly probe: HealthProbe;
  readonly clock: Clock;
  readonly progress: Progress;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

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
  progress.phase(`pre-checks of ${plan.stack}${plan.dryRun ? " (dry run)" : ""}`);
  const checked = await runPreChecks(
    {
      stack: deps.stack,
      alarmsIn,
      probe: deps.probe,
      note: (line) => deps.stdout(`  ${line}\n`),
    },
    plan.to,
  );
  const alarms = checked.release ? alarmsIn(checked.release.region) : undefined;
  const names = checked.release?.cutoverAlarmNames ?? [];

  let state: CutoverState = INITIAL_STATE;
  let event: CutoverEvent = { kind: "preChecked", failures: checked.failures };
  for (;;) {
    const step = decide(plan, state, event);
    state = step.state;
    const action: CutoverAction = step.action;
    switch (action.kind) {
      case "finish": {
        progress.stop();
        const write = action.outcome.exitCode === 0 ? deps.stdout : deps.stderr;
        write(action.outcome.lines.join("\n") + "\n");
        return action.outcome.exitCode;
      }
      case "flip":
        progress.phase(
          state.phase === "flipping"
            ? `flip: activeColor → ${action.color}, pulumi up`
            : `rollback: activeColor → ${action.color}, pulumi up`,
        );
        event = await flip(deps, action.color, action.message);
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
        await deps.clock.sleep(action.ms);
        event = { kind: "slept", at: deps.clock.now() };
        break;
    }
  }
}

async function flip(deps: CutoverDeps, color: Color, message: string): Promise<CutoverEvent> {
  try {
    await deps.stack.setActiveColor(color);
    await deps.stack.up(message, (done) => deps.progress.activity(`pulumi up: ${done} resource steps done`));
    return { kind: "upSucceeded", at: deps.clock.now() };
  } catch (error) {
    return { kind: "upFailed", at: deps.clock.now(), error: errorText(error) };
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
    return { kind: "alarmsUnreadable", at: clock.now(), error: errorText(error) };
  }
}
