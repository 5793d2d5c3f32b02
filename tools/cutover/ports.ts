import { Color } from "./color";

/**
 * What the cut-over needs from the outside world, as interfaces: the orchestrator is wired to the real
 * adapters by the entry points and to in-memory fakes by the tests.
 */

/** The most recent operation in the stack's history. */
export interface LastUpdate {
  readonly kind: string;
  readonly result: string;
  readonly endTime: Date | undefined;
}

/** One Pulumi stack, as the Automation API adapter exposes it. */
export interface StackPort {
  /** Plain values of the last update's stack outputs (secrets included, never printed). */
  outputs(): Promise<Record<string, unknown>>;
  lastUpdate(): Promise<LastUpdate | undefined>;
  /** `ams:activeColor` as declared in the stack config; undefined when the project default applies. */
  declaredActiveColor(): Promise<string | undefined>;
  setActiveColor(color: Color): Promise<void>;
  /** `pulumi up`; rejects when the update fails. `onStep` gets the count of resource steps done. */
  up(message: string, onStep?: (done: number) => void): Promise<void>;
}

export type AlarmStateValue = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface AlarmState {
  readonly name: string;
  readonly state: AlarmStateValue;
  /** CloudWatch's StateReason, e.g. "Threshold Crossed: 1 datapoint [7.1] was greater than …". */
  readonly reason: string;
  /** When the alarm entered its current state. */
  readonly since: Date | undefined;
}

export interface AlarmReading {
  readonly alarms: readonly AlarmState[];
  /** Names asked for that CloudWatch does not know: watching them would watch nothing. */
  readonly missing: readonly string[];
}

export interface AlarmPort {
  read(names: readonly string[]): Promise<AlarmReading>;
}

export interface ProbeTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ProbeResult {
  readonly ok: boolean;
  /** "HTTP 200", "HTTP 503" or the network error; never the headers (they may carry a token). */
  readonly detail: string;
}

export type HealthProbe = (target: ProbeTarget) => Promise<ProbeResult>;

/** Injected so the bake can be run by a fake clock in tests. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Where the phase and time left are shown (a progress bar on a terminal, sparse lines elsewhere). */
export interface Progress {
  phase(label: string): void;
  /** The update's resource steps; shown on a terminal only, where it rewrites one line. */
  activity(text: string): void;
  bake(remainingMs: number, totalMs: number): void;
  stop(): void;
}
