import { describePulumiError } from "../cli/pulumiStack";
import { OpenStackOptions, openPulumiStack } from "./automation";
import { gitCheckout } from "./checkout";
import { cloudWatchAlarmsIn } from "./cloudWatch";
import { CutoverDeps, runCutover } from "./cutoverRun";
import { EXIT } from "../cli/exitCodes";
import { PROCESS_OUTPUT } from "../cli/main";
import { PROJECT_DIR } from "../cli/project";
import { UsageError } from "../cli/usageError";
import { CUTOVER_USAGE, parseCutoverFlags, parseRollbackFlags, ROLLBACK_USAGE } from "./flags";
import { httpProbe } from "./healthProbe";
import { processInterrupts } from "./interrupts";
import { offlineFlipChanges } from "./offlineFlip";
import { createProgress } from "./progress";
import { runRollback } from "./rollbackRun";
import { systemClock } from "./systemClock";

const out = (text: string) => PROCESS_OUTPUT.stdout(text);
const err = (text: string) => PROCESS_OUTPUT.stderr(text);

/**
 * What a test of the whole command (a child process, real signals) replaces: the world outside Pulumi, and
 * which CLI the Automation API runs. The npm scripts pass nothing.
 */
export interface MainOverrides {
  readonly pulumi?: Pick<OpenStackOptions, "pulumiCommand" | "envVars" | "cancelAckGraceMs">;
  readonly cutover?: Partial<Pick<CutoverDeps, "alarmsIn" | "probe" | "checkout" | "expectedFlip">>;
  readonly lockRetryDelaysMs?: readonly number[];
}

/** Wires the real adapters; argument errors exit 2 before any of them is created. */
export async function cutoverMain(argv: readonly string[], overrides: MainOverrides = {}): Promise<number> {
  return guarded(argv, async (interrupts) => {
    const flags = parseCutoverFlags(argv, PROJECT_DIR);
    if (flags === "help") return help(CUTOVER_USAGE);
    return runCutover(flags, {
      stack: await openPulumiStack({ stackName: flags.stack, workDir: flags.workDir, ...overrides.pulumi }),
      alarmsIn: cloudWatchAlarmsIn,
      probe: httpProbe(fetch),
      checkout: gitCheckout(flags.workDir),
      expectedFlip: offlineFlipChanges(flags.workDir, flags.stack),
      interrupts,
      clock: systemClock,
      progress: createProgress(process.stderr, systemClock.now),
      stdout: out,
      stderr: err,
      lockRetryDelaysMs: overrides.lockRetryDelaysMs,
      ...overrides.cutover,
    });
  });
}

export async function rollbackMain(argv: readonly string[], overrides: MainOverrides = {}): Promise<number> {
  return guarded(argv, async (interrupts) => {
    const flags = parseRollbackFlags(argv, PROJECT_DIR);
    if (flags === "help") return help(ROLLBACK_USAGE);
    return runRollback(flags, {
      stack: await openPulumiStack({ stackName: flags.stack, workDir: flags.workDir, ...overrides.pulumi }),
      interrupts,
      clock: systemClock,
      progress: createProgress(process.stderr, systemClock.now),
      stdout: out,
      stderr: err,
      lockRetryDelaysMs: overrides.lockRetryDelaysMs,
    });
  });
}

function help(usage: string): number {
  out(usage + "\n");
  return EXIT.ok;
}

/**
 * Signals are trapped for the whole run (before the CLI is even found), and anything thrown reaches here
 * only before the stack was touched — the orchestrators turn later failures into outcomes — so it means
 * "nothing changed", said in one line (no CLI, not logged in, no such stack), never as exit 1.
 */
async function guarded(
  argv: readonly string[],
  run: (interrupts: ReturnType<typeof processInterrupts>) => Promise<number>,
): Promise<number> {
  const interrupts = processInterrupts();
  const unsubscribe = interrupts.subscribe((count) =>
    err(
      count === 1
        ? "\ninterrupt: stopping. A running Pulumi update is cancelled the way its own Ctrl-C does (running " +
            "resource operations finish); a second Ctrl-C terminates the CLI at once (the stack may then stay " +
            "locked, with pending operations)\n"
        : "\nsecond interrupt: a Pulumi CLI that received it terminates now\n",
    ),
  );
  try {
    return await run(interrupts);
  } catch (error) {
    if (error instanceof UsageError) {
      err(error.message + "\n");
      return EXIT.usage;
    }
    const stack = argv[argv.indexOf("--stack") + 1] ?? "(unknown)";
    err(`Nothing was changed: ${describePulumiError(error, stack)}\n`);
    return EXIT.nothingChanged;
  } finally {
    unsubscribe();
    interrupts.dispose();
  }
}
