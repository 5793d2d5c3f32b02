import { Interrupts } from "./ports";

/**
 * Deliveries of one Ctrl-C closer together than this count once. A terminal sends SIGINT to the whole
 * foreground process group, and `npm run` (@npmcli/run-script signal-manager) and tsx's CLI (relaySignals)
 * forward it to their child as well, so one press can reach the tool two or three times within milliseconds.
 */
export const ONE_PRESS_MS = 1_000;

/** A process to listen on: `process` itself, or an emitter in tests. */
export interface SignalSource {
  on(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown;
  off(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown;
}

/**
 * SIGINT and SIGTERM, trapped for the tool's whole run. Without a listener Node exits at the first signal,
 * and execa's cleanup then sends the running CLI SIGTERM right after the terminal's SIGINT — a second
 * signal, which the CLI takes as "terminate now" (pulumi/pulumi pkg/backend/cancellation_scope.go).
 */
export function processInterrupts(
  source: SignalSource = process,
  now: () => number = Date.now,
): Interrupts & { dispose(): void } {
  let count = 0;
  let last = -Infinity;
  const listeners = new Set<(count: number) => void>();
  const onSignal = () => {
    const at = now();
    const samePress = at - last < ONE_PRESS_MS;
    last = at;
    if (samePress) return;
    count += 1;
    for (const listener of [...listeners]) listener(count);
  };
  source.on("SIGINT", onSignal);
  source.on("SIGTERM", onSignal);
  return {
    get count() {
      return count;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      source.off("SIGINT", onSignal);
      source.off("SIGTERM", onSignal);
    },
  };
}

/** For runs nobody can interrupt (tests of other things). */
export const NO_INTERRUPTS: Interrupts = { count: 0, subscribe: () => () => undefined };
