import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineEvent, Stack, UpdateSummary } from "@pulumi/pulumi/automation";
import * as YAML from "yaml";
import { ACTIVE_COLOR_KEY } from "../../release/history";
import { stackFileName } from "../cli/flags";
import { describePulumiError, isLockConflict, openStack, StackLocation } from "../cli/pulumiStack";
import { Color } from "../../config/types";
import {
  PlannedStep,
  PreviewOutcome,
  RunOptions,
  StackPort,
  StackState,
  UpdateEntry,
  UpdateOutcome,
} from "./ports";
import { appliedByFailedUpdate, changesSomething } from "./updateOutcome";

/**
 * How long a first interrupt waits for the CLI to say it is cancelling before the tool sends it SIGINT.
 * A terminal's Ctrl-C reaches the CLI directly (execa spawns it in the tool's process group) and the CLI
 * starts cancelling at once; a SIGINT from the tool on top would be its second signal, "terminate now"
 * (pulumi/pulumi pkg/backend/cancellation_scope.go). So the tool signals only a CLI that did not hear the
 * interrupt itself — `kill -INT <tool pid>`, a CI runner stopping the job — through the Automation API's
 * `signal` option, which sends exactly one SIGINT (sdk/nodejs/automation/cmd.ts:
 * `proc.kill("SIGINT", { forceKillAfterTimeout: false })`).
 */
export const CANCEL_ACK_GRACE_MS = 3_000;

/** What the CLI prints when a first signal starts its graceful cancellation. */
const CANCELLING = /(\^C|SIGTERM) received; cancelling/;

export interface OpenStackOptions extends StackLocation {
  readonly cancelAckGraceMs?: number;
}

/** The only module of the cut-over that talks to the Automation API; the stack is not selected. */
export async function openPulumiStack(options: OpenStackOptions): Promise<StackPort> {
  return new AutomationStack(
    await openStack(options),
    options.workDir,
    options.stackName,
    options.cancelAckGraceMs ?? CANCEL_ACK_GRACE_MS,
  );
}

class AutomationStack implements StackPort {
  constructor(
    private readonly stack: Stack,
    private readonly workDir: string,
    private readonly stackName: string,
    private readonly cancelAckGraceMs: number,
  ) {}

  async outputs(): Promise<Record<string, unknown>> {
    const outputs = await this.stack.outputs();
    return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value as unknown]));
  }

  async history(count: number): Promise<UpdateEntry[]> {
    // showSecrets false: the history's config snapshot is not needed, so secrets never leave the CLI.
    return (await this.stack.history(count, 1, false)).map(toEntry);
  }

  async declaredActiveColor(): Promise<string | undefined> {
    try {
      return (await this.stack.getConfig(ACTIVE_COLOR_KEY)).value;
    } catch (error) {
      // Not set in the stack file: the project default (Pulumi.yaml) applies, which the outputs reflect.
      if (error instanceof Error && /not found/i.test(error.message)) return undefined;
      throw error;
    }
  }

  async declareActiveColor(color: Color | undefined): Promise<void> {
    if (color === undefined) await this.stack.removeConfig(ACTIVE_COLOR_KEY);
    else await this.stack.setConfig(ACTIVE_COLOR_KEY, { value: color, secret: false });
  }

  async up(message: string, options: RunOptions): Promise<UpdateOutcome> {
    const before = await this.newestVersion();
    const run = new CliRun(options, this.cancelAckGraceMs, false);
    try {
      await this.stack.up({
        message,
        onEvent: run.onEvent,
        onOutput: run.onOutput,
        signal: run.signal,
      });
      return { ok: true };
    } catch (error) {
      return await this.failedUp(error, message, before, run);
    } finally {
      run.dispose();
    }
  }

  async previewActiveColor(color: Color, options: RunOptions): Promise<PreviewOutcome> {
    const copy = this.stackFileWith(color);
    const run = new CliRun(options, this.cancelAckGraceMs, true);
    try {
      await this.stack.preview({
        configFile: copy.file,
        onEvent: run.onEvent,
        onOutput: run.onOutput,
        signal: run.signal,
      });
      return { ok: true, steps: run.steps };
    } catch (error) {
      return { ok: false, error: describePulumiError(error, this.stackName) };
    } finally {
      run.dispose();
      copy.remove();
    }
  }

  async state(): Promise<StackState> {
    const newest = await this.history(1).then(
      ([entry]) => entry,
      () => undefined,
    );
    let pendingOperations: string[] | undefined;
    try {
      // `stack export` is the one place pending operations are visible; the SDK exports with
      // --show-secrets, so only the URNs are kept and nothing else of the state is held or printed.
      const exported = (await this.stack.exportStack()).deployment as {
        pending_operations?: { resource?: { urn?: string } }[];
      };
      pendingOperations = (exported.pending_operations ?? []).map((op) => op.resource?.urn ?? "(unknown)");
    } catch {
      pendingOperations = undefined;
    }
    return { newest, pendingOperations };
  }

  private async newestVersion(): Promise<number | undefined> {
    try {
      return (await this.history(1))[0]?.version ?? 0;
    } catch {
      return undefined;
    }
  }

  /**
   * A rejected `up` is not always a failed update: the SDK reads the outputs and the history after a
   * succeeded `pulumi up` (sdk/nodejs/automation/stack.ts, `up`), and a failure there rejects too. The
   * history says which it was, and what a failed update changed.
   */
  private async failedUp(
    error: unknown,
    message: string,
    before: number | undefined,
    run: CliRun,
  ): Promise<UpdateOutcome> {
    const described = describePulumiError(error, this.stackName);
    if (isLockConflict(error)) return { ok: false, error: described, locked: true, applied: "nothing" };
    const entry = before === undefined ? undefined : await this.entryAfter(before);
    if (entry && entry.result === "succeeded" && entry.message === message)
      return {
        ok: true,
        note: `pulumi up succeeded (update v${entry.version}); reading the stack afterwards failed: ${described}`,
      };
    const applied = appliedByFailedUpdate({
      eventsSeen: run.eventsSeen,
      startedChanges: run.startedChanges,
      maybeCorrupt: run.maybeCorrupt,
      entry,
    });
    return { ok: false, error: described, locked: false, applied };
  }

  /** The entry newer than `before` (null when there is none), read with a few tries; undefined if unreadable. */
  private async entryAfter(before: number): Promise<UpdateEntry | null | undefined> {
    for (const delay of [0, 1_000, 3_000]) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        const [newest] = await this.history(1);
        return newest !== undefined && newest.version > before ? newest : null;
      } catch {
        // Try again: the same network blip that failed the SDK's read may be over.
      }
    }
    return undefined;
  }

  /** A copy of the stack file with `ams:activeColor` set, for `pulumi preview --config-file`. */
  private stackFileWith(color: Color): { file: string; remove: () => void } {
    const name = `Pulumi.${stackFileName(this.stackName)}.yaml`;
    const project = YAML.parse(fs.readFileSync(path.join(this.workDir, "Pulumi.yaml"), "utf8")) as {
      stackConfigDir?: string;
    };
    // Where the CLI looks for it (pulumi/pulumi sdk/go/common/workspace/paths.go, ProjectStackPath).
    const original = path.join(this.workDir, project.stackConfigDir ?? "", name);
    const document = YAML.parseDocument(fs.existsSync(original) ? fs.readFileSync(original, "utf8") : "{}");
    document.setIn(["config", ACTIVE_COLOR_KEY], color);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-cutover-preview-"));
    const file = path.join(dir, name);
    // Encrypted values stay as they are (ciphertext), readable by the same secrets provider.
    fs.writeFileSync(file, document.toString(), { mode: 0o600 });
    return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
}

/** Watches one CLI run: its events, the cancellation it announces, and the interrupt that should cancel it. */
class CliRun {
  private readonly controller = new AbortController();
  private readonly unsubscribe: () => void;
  private timer: NodeJS.Timeout | undefined;
  private output = "";
  private done = 0;
  eventsSeen = false;
  startedChanges = 0;
  maybeCorrupt = false;
  acknowledged = false;
  readonly steps: PlannedStep[] = [];
  /**
   * Sequence numbers of the events already handled. The engine numbers every event uniquely (`EngineEvent.sequence`
   * in @pulumi/pulumi automation/events.d.ts), but a CLI up to 3.205 hands them over through a log file that the
   * SDK tails (`readLines` in sdk/nodejs/automation/stack.ts, @logdna/tail-file), which under load can deliver a
   * line twice: counted twice, a preview's steps would no longer match the flip.
   */
  private readonly handled = new Set<number>();

  constructor(
    private readonly options: RunOptions,
    graceMs: number,
    private readonly preview: boolean,
  ) {
    this.unsubscribe = options.interrupts.subscribe((count) => {
      if (count !== 1) return;
      this.timer = setTimeout(() => {
        if (!this.acknowledged) this.controller.abort();
      }, graceMs);
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  readonly onEvent = (event: EngineEvent): void => {
    if (this.handled.has(event.sequence)) return;
    this.handled.add(event.sequence);
    if (event.preludeEvent) this.eventsSeen = true;
    if (event.stdoutEvent && CANCELLING.test(event.stdoutEvent.message)) this.acknowledged = true;
    const pre = event.resourcePreEvent;
    if (pre && (this.preview || !pre.planning)) {
      this.steps.push({ urn: pre.metadata.urn, op: pre.metadata.op });
      if (changesSomething(pre.metadata.op)) this.startedChanges++;
    }
    if (event.resOutputsEvent) this.options.onStep?.(++this.done);
    if (event.summaryEvent?.maybeCorrupt) this.maybeCorrupt = true;
  };

  readonly onOutput = (text: string): void => {
    this.output = (this.output + text).slice(-500);
    if (CANCELLING.test(this.output)) this.acknowledged = true;
  };

  dispose(): void {
    clearTimeout(this.timer);
    this.unsubscribe();
  }
}

function toEntry(summary: UpdateSummary): UpdateEntry {
  const environment = summary.environment ?? {};
  const dirty = environment["git.dirty"];
  return {
    version: summary.version,
    kind: summary.kind,
    result: summary.result,
    endTime: summary.endTime,
    message: summary.message ?? "",
    gitHead: environment["git.head"] || undefined,
    gitDirty: dirty === undefined ? undefined : dirty === "true",
    resourceChanges: { ...(summary.resourceChanges ?? {}) },
  };
}
