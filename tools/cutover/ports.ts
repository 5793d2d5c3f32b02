import { ProbeTarget } from "../../release/outputs";
import { Color } from "../../config/types";

/**
 * What the cut-over needs from the outside world, as interfaces: the orchestrator is wired to the real
 * adapters by the entry points and to in-memory fakes by the tests.
 */

/** One entry of the stack's update history (`pulumi stack history`), newest first. */
export interface UpdateEntry {
  readonly version: number;
  /** `update`, `refresh`, `destroy`, … */
  readonly kind: string;
  /** `succeeded`, `failed`, `in-progress`, `not-started`. */
  readonly result: string;
  readonly endTime: Date | undefined;
  readonly message: string;
  /** `environment["git.head"]`: the commit the update ran from, when it ran in a Git checkout. */
  readonly gitHead: string | undefined;
  /** `environment["git.dirty"]`: the checkout had uncommitted changes. */
  readonly gitDirty: boolean | undefined;
  /** Completed steps by operation (`same`, `update`, …); failed steps are not counted. */
  readonly resourceChanges: Readonly<Record<string, number>>;
}

/** How much a failed update changed: decided from the engine's events and the history (updateOutcome.ts). */
export type Applied = "nothing" | "some" | "unknown";

export type UpdateOutcome =
  | {
      readonly ok: true;
      /** Said to the operator, e.g. that reading the stack after a succeeded update failed once. */
      readonly note?: string;
    }
  | {
      readonly ok: false;
      /** What the CLI said, in the lines that matter. */
      readonly error: string;
      /** Another update held the stack's lock: this one never started. */
      readonly locked: boolean;
      readonly applied: Applied;
    };

/** One step a preview plans. */
export interface PlannedStep {
  readonly urn: string;
  readonly op: string;
}

export type PreviewOutcome =
  | { readonly ok: true; readonly steps: readonly PlannedStep[] }
  | { readonly ok: false; readonly error: string };

/** What an interrupted operator needs to know about the stack. */
export interface StackState {
  readonly newest: UpdateEntry | undefined;
  /** URNs of resource operations the state records as interrupted; undefined when unreadable. */
  readonly pendingOperations: readonly string[] | undefined;
}

/** How a CLI run reports progress and is interrupted. */
export interface RunOptions {
  /** Gets the count of resource steps done. */
  readonly onStep?: (done: number) => void;
  /** A first interrupt cancels the run the way the CLI's own Ctrl-C handling does. */
  readonly interrupts: Interrupts;
}

/** One Pulumi stack, as the Automation API adapter exposes it. */
export interface StackPort {
  /** Plain values of the last update's stack outputs (secrets included, never printed). */
  outputs(): Promise<Record<string, unknown>>;
  /** The newest `count` entries of the stack's history, newest first. */
  history(count: number): Promise<UpdateEntry[]>;
  /** `ams:activeColor` as declared in the stack config; undefined when the project default applies. */
  declaredActiveColor(): Promise<string | undefined>;
  /** Declares `ams:activeColor`; undefined removes it from the stack config (the project default applies). */
  declareActiveColor(color: Color | undefined): Promise<void>;
  /** `pulumi up`; a failed update is an outcome, not an exception. */
  up(message: string, options: RunOptions): Promise<UpdateOutcome>;
  /**
   * `pulumi preview` as if `ams:activeColor` were `color`: run against a copy of the stack config, so the
   * stack file is not touched.
   */
  previewActiveColor(color: Color, options: RunOptions): Promise<PreviewOutcome>;
  /** The newest update and the pending operations, read after an update was interrupted. */
  state(): Promise<StackState>;
}

/** The Git checkout the tools run from (the program and stack files a `pulumi up` deploys). */
export interface CheckoutPort {
  /** The commit checked out (`git rev-parse HEAD`). */
  head(): Promise<string>;
  /** What `git status --porcelain` lists: changed, staged and untracked files. */
  changes(): Promise<string[]>;
}

/** A change the offline plan says a flip makes (`npm run plan -- --compare activeColor=<to> --json`). */
export interface ExpectedChange {
  readonly urn: string;
  readonly op: string;
}

export type ExpectedFlip = (to: Color) => Promise<readonly ExpectedChange[]>;

/** Ctrl-C and SIGTERM, counted the way an operator presses them. */
export interface Interrupts {
  /** Distinct interrupts so far: one press that reaches the process several times counts once. */
  readonly count: number;
  /** Called on each distinct interrupt with the count so far; returns the unsubscribe function. */
  subscribe(listener: (count: number) => void): () => void;
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
