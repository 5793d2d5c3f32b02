import { UsageError } from "./usageError";

/**
 * What every command shares when it reads its command line: one walk over the flags and one rule for stack
 * names, so `plan`, `cutover`, `rollback`, `dora` and `promote` refuse bad input the same way: a `UsageError`
 * (exit 2) naming the flag, the value and what is allowed.
 */

export interface KnownFlags {
  /** Flags followed by a value (`--stack prod`). */
  readonly valued: readonly string[];
  /** Flags that stand alone (`--dry-run`). */
  readonly booleans: readonly string[];
}

/** Calls `handle` for each known flag in order (a boolean flag's value is "true"); throws on anything else. */
export function walkFlags(
  argv: readonly string[],
  usage: string,
  flags: KnownFlags,
  handle: (flag: string, value: string) => void,
): void {
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flags.booleans.includes(flag)) {
      handle(flag, "true");
      continue;
    }
    if (!flags.valued.includes(flag))
      throw new UsageError(
        `${flag.startsWith("--") ? "Unknown flag" : "Unexpected argument"} "${flag}".\n${usage}`,
      );
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--"))
      throw new UsageError(`${flag} needs a value.\n${usage}`);
    i++;
    handle(flag, value);
  }
}

// Pulumi's own rule: letters, digits, "-", "_", "." with an optional org/project/ prefix.
const STACK_NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/;

/** The `--stack` value, required and well-formed: it reaches the Pulumi CLI as an argument. */
export function stackFlag(value: string | undefined, usage: string): string {
  if (value === undefined) throw new UsageError(`--stack is required (the stack to act on).\n${usage}`);
  if (!STACK_NAME.test(value))
    throw new UsageError(
      `--stack "${value}" is not a stack name; allowed: letters, digits, "-", "_", "." (optionally org/project/stack).`,
    );
  return value;
}

/**
 * The stack's own name, without the organization and project of a fully qualified `org/project/stack`: what
 * its config file is named after, `Pulumi.<name>.yaml` (pulumi/pulumi sdk/go/common/workspace/paths.go,
 * ProjectStackPath, called with the reference's `Name()`; pkg/cmd/pulumi/stack/io.go).
 */
export function stackFileName(stack: string): string {
  return stack.slice(stack.lastIndexOf("/") + 1);
}

/** `--help` or `-h` anywhere on the command line: print the usage and do nothing else. */
export function helpRequested(argv: readonly string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}
