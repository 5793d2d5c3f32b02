import { spawnSync } from "child_process";
import * as path from "path";
import { PROJECT_DIR } from "../../tools/cli/project";
import { planCommand } from "../../plan/command";
import { runExclusive } from "./plans";

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm run plan -- <args>` the way a user does (same entry point, same loader), minus npm itself. */
export function runPlanCli(...args: string[]): CliResult {
  const result = spawnSync(
    process.execPath,
    ["--require", "tsx/cjs", path.join(PROJECT_DIR, "plan", "cli.ts"), ...args],
    { cwd: PROJECT_DIR, encoding: "utf8", timeout: 60_000 },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * The same command in this process (same code path as `plan/cli.ts`, minus process start-up): for the
 * many argument and config cases, where a fresh process per case would only add seconds.
 */
export async function runPlanInProcess(...args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const status = await runExclusive(() =>
    planCommand(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) }),
  );
  return { status, stdout, stderr };
}

/** A Node stack trace line, which config errors must never print. */
export const STACK_TRACE_LINE = /^\s+at .+[:(]/m;
