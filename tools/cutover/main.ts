import * as path from "path";
import { openPulumiStack } from "./automation";
import { cloudWatchAlarmsIn } from "./cloudWatch";
import { runCutover } from "./cutoverRun";
import { EXIT } from "./exitCodes";
import { CUTOVER_USAGE, parseCutoverFlags, parseRollbackFlags, ROLLBACK_USAGE, UsageError } from "./flags";
import { httpProbe } from "./healthProbe";
import { errorText } from "./messages";
import { createProgress } from "./progress";
import { runRollback } from "./rollbackRun";
import { systemClock } from "./systemClock";

/** The repository root: the Pulumi project the tools act on unless --cwd says otherwise. */
const PROJECT_DIR = path.resolve(__dirname, "..", "..");

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

/** Wires the real adapters; argument errors exit 2 before any of them is created. */
export async function cutoverMain(argv: readonly string[]): Promise<number> {
  return guarded(async () => {
    const flags = parseCutoverFlags(argv, PROJECT_DIR);
    if (flags === "help") return help(CUTOVER_USAGE);
    return runCutover(flags, {
      stack: await openPulumiStack({ stackName: flags.stack, workDir: flags.workDir }),
      alarmsIn: cloudWatchAlarmsIn,
      probe: httpProbe(fetch),
      clock: systemClock,
      progress: createProgress(process.stderr, systemClock.now),
      stdout: out,
      stderr: err,
    });
  });
}

export async function rollbackMain(argv: readonly string[]): Promise<number> {
  return guarded(async () => {
    const flags = parseRollbackFlags(argv, PROJECT_DIR);
    if (flags === "help") return help(ROLLBACK_USAGE);
    return runRollback(flags, {
      stack: await openPulumiStack({ stackName: flags.stack, workDir: flags.workDir }),
      progress: createProgress(process.stderr, systemClock.now),
      stdout: out,
      stderr: err,
    });
  });
}

function help(usage: string): number {
  out(usage + "\n");
  return EXIT.ok;
}

async function guarded(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof UsageError) {
      err(error.message + "\n");
      return EXIT.usage;
    }
    err(`error: ${errorText(error)}\n`);
    return EXIT.failed;
  }
}
