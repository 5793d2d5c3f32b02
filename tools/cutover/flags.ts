import * as path from "path";
import { Color, COLORS } from "../../config/types";
import { isColor } from "../../config/release";
import { formatDuration, parseDuration } from "../cli/time";
import { helpRequested, stackFlag, walkFlags } from "../cli/flags";
import { UsageError } from "../cli/usageError";

export interface CutoverFlags {
  readonly stack: string;
  readonly to: Color;
  /** How long alarms are watched after the flip, in ms. */
  readonly bakeMs: number;
  /** Interval between two DescribeAlarms calls during the bake, in ms. */
  readonly pollMs: number;
  readonly dryRun: boolean;
  /** The Pulumi project directory (holds Pulumi.yaml). */
  readonly workDir: string;
}

export interface RollbackFlags {
  readonly stack: string;
  readonly reason: string;
  readonly workDir: string;
}

export const CUTOVER_USAGE = `Usage: npm run cutover -- --stack <name> --to <blue|green> [--bake 10m] [--poll 30s] [--dry-run] [--cwd <dir>]

  --stack <name>   stack to flip (dev, staging, prod, or org/project/stack)
  --to <color>     blue or green: the idle color that is to take traffic
  --bake <time>    how long to watch the alarms after the flip: 90s, 10m, 1h (default 10m, at most 24h)
  --poll <time>    how often to read the alarms during the bake (default 30s, at least 5s)
  --dry-run        run the pre-checks and print what would happen; change nothing
  --cwd <dir>      the Pulumi project directory (default: this repository)`;

export const ROLLBACK_USAGE = `Usage: npm run rollback -- --stack <name> [--reason "..."] [--cwd <dir>]

  --stack <name>   stack to flip back to its idle color at once
  --reason <text>  why, recorded in the update message (default: manual)
  --cwd <dir>      the Pulumi project directory (default: this repository)`;

const DEFAULT_BAKE_MS = 10 * 60_000;
const DEFAULT_POLL_MS = 30_000;
const MAX_BAKE_MS = 24 * 3_600_000;
const MIN_POLL_MS = 5_000;

function duration(flag: string, value: string, min: number, max: number): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < min || ms > max)
    throw new UsageError(
      `${flag} "${value}" is not allowed; allowed: a whole number of seconds, minutes or hours from ` +
        `${formatDuration(min)} to ${formatDuration(max)}, written like 90s, 10m or 1h.`,
    );
  return ms;
}

/** Parses `npm run cutover` arguments; throws `UsageError` before anything is touched. */
export function parseCutoverFlags(argv: readonly string[], defaultWorkDir: string): CutoverFlags | "help" {
  if (helpRequested(argv)) return "help";
  let stack: string | undefined;
  let to: Color | undefined;
  let bakeMs = DEFAULT_BAKE_MS;
  let pollMs = DEFAULT_POLL_MS;
  let dryRun = false;
  let workDir = defaultWorkDir;
  const known = { valued: ["--stack", "--to", "--bake", "--poll", "--cwd"], booleans: ["--dry-run"] };
  walkFlags(argv, CUTOVER_USAGE, known, (flag, value) => {
    switch (flag) {
      case "--stack":
        stack = value;
        return;
      case "--to":
        if (!isColor(value))
          throw new UsageError(`--to "${value}" is not a color; allowed: ${COLORS.join(", ")}.`);
        to = value;
        return;
      case "--bake":
        bakeMs = duration(flag, value, 1_000, MAX_BAKE_MS);
        return;
      case "--poll":
        pollMs = duration(flag, value, MIN_POLL_MS, MAX_BAKE_MS);
        return;
      case "--dry-run":
        dryRun = true;
        return;
      case "--cwd":
        workDir = path.resolve(value);
        return;
    }
  });
  const name = stackFlag(stack, CUTOVER_USAGE);
  if (to === undefined)
    throw new UsageError(`--to is required; allowed: ${COLORS.join(", ")}.\n${CUTOVER_USAGE}`);
  return { stack: name, to, bakeMs, pollMs, dryRun, workDir };
}

/** Parses `npm run rollback` arguments; throws `UsageError` before anything is touched. */
export function parseRollbackFlags(argv: readonly string[], defaultWorkDir: string): RollbackFlags | "help" {
  if (helpRequested(argv)) return "help";
  let stack: string | undefined;
  let reason = "manual";
  let workDir = defaultWorkDir;
  const known = { valued: ["--stack", "--reason", "--cwd"], booleans: [] };
  walkFlags(argv, ROLLBACK_USAGE, known, (flag, value) => {
    switch (flag) {
      case "--stack":
        stack = value;
        return;
      case "--reason":
        // The reason ends up in a one-line update message, where a newline would break `stack history`.
        if (value.trim() === "" || /[\r\n]/.test(value) || value.length > 200)
          throw new UsageError(
            `--reason "${value}" is not allowed; allowed: one line of 1 to 200 characters.`,
          );
        reason = value.trim();
        return;
      case "--cwd":
        workDir = path.resolve(value);
        return;
    }
  });
  return { stack: stackFlag(stack, ROLLBACK_USAGE), reason, workDir };
}
