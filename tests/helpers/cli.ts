import { spawnSync } from "child_process";
import * as path from "path";
import { PROJECT_DIR } from "../harness/projectFiles";

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm run plan -- <args>` the way a user does (same entry point, same loader), minus npm itself. */
export function runPlanCli(...args: string[]): CliResult {
  const result = spawnSync(
    process.execPath,
    ["--require", "tsx/cjs", path.join(PROJECT_DIR, "tools", "plan.ts"), ...args],
    { cwd: PROJECT_DIR, encoding: "utf8", timeout: 60_000 },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A Node stack trace line, which config errors must never print. */
export const STACK_TRACE_LINE = /^\s+at .+[:(]/m;
