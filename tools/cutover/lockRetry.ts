import { formatDuration } from "../cli/time";
import { UpdateOutcome } from "./ports";

/**
 * Waits between attempts when another update holds the stack's lock on the way back to the old color: a
 * Pulumi Deployments run (push to deploy, drift detection) or a teammate's `pulumi up` usually finishes
 * within minutes. Bounded, so a stuck lock ends in the loud manual message instead of a silent wait.
 */
export const LOCK_RETRY_DELAYS_MS: readonly number[] = [
  10_000, 20_000, 30_000, 60_000, 60_000, 60_000, 60_000,
];

/**
 * Runs `attempt` until it is not refused by a lock, or the delays are used up, or `wait` reports an
 * interrupt. The last outcome is returned either way.
 */
export async function retryWhileLocked(
  attempt: () => Promise<UpdateOutcome>,
  wait: (ms: number) => Promise<"waited" | "interrupted">,
  note: (line: string) => void,
  delays: readonly number[] = LOCK_RETRY_DELAYS_MS,
): Promise<UpdateOutcome> {
  for (let retry = 0; ; retry++) {
    const outcome = await attempt();
    if (outcome.ok || !outcome.locked || retry >= delays.length) return outcome;
    note(
      `another update holds the stack's lock; trying again in ${formatDuration(delays[retry])} ` +
        `(attempt ${retry + 2} of ${delays.length + 1})`,
    );
    if ((await wait(delays[retry])) === "interrupted") return outcome;
  }
}
