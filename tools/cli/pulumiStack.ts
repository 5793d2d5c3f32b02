import {
  CommandError,
  ConcurrentUpdateError,
  LocalWorkspace,
  PulumiCommand,
  Stack,
  StackNotFoundError,
} from "@pulumi/pulumi/automation";
import { isPulumiLoginMissing, PULUMI_CLI_MISSING, PULUMI_LOGIN_MISSING } from "./prerequisites";

/**
 * How the operations tools reach a Pulumi stack through the Automation API (`@pulumi/pulumi/automation`),
 * and how they tell the operator what went wrong when the CLI fails.
 */

export interface StackLocation {
  readonly stackName: string;
  /** The Pulumi project directory (holds Pulumi.yaml). */
  readonly workDir: string;
  /** A specific CLI (tests point this at a recording fake); default: `pulumi` on PATH. */
  readonly pulumiCommand?: PulumiCommand;
  /** Extra environment for every CLI call. */
  readonly envVars?: Record<string, string>;
}

/**
 * Opens a stack without selecting it. `LocalWorkspace.selectStack` runs `pulumi stack select`, which rewrites
 * the operator's current stack for this project (`~/.pulumi/workspaces/…`): after `npm run cutover -- --stack
 * prod` a bare `pulumi up` would hit prod. Every `Stack` command passes `--stack <name>` itself
 * (sdk/nodejs/automation/stack.ts, `runPulumiCmd`;
 * https://github.com/pulumi/pulumi/blob/master/sdk/nodejs/automation/stack.ts), so the selection is only a
 * side effect; a stack that does not exist fails the first command with `StackNotFoundError`.
 */
export async function openStack(location: StackLocation): Promise<Stack> {
  const workspace = await LocalWorkspace.create({
    workDir: location.workDir,
    pulumiCommand: location.pulumiCommand,
    envVars: location.envVars,
  });
  workspace.selectStack = async () => undefined;
  return Stack.select(location.stackName, workspace);
}

/** Another update holds the stack's lock (Pulumi Cloud's 409, or a DIY backend's lock file). */
export function isLockConflict(error: unknown): boolean {
  return error instanceof ConcurrentUpdateError;
}

/** What the CLI said, without the SDK's `code: … stdout: … stderr: … err?:` wrapper. */
export interface CliFailure {
  readonly exitCode: number | undefined;
  readonly stderr: string;
  readonly stdout: string;
  /** Set when the CLI could not be started at all (`ENOENT`: not on PATH). */
  readonly spawnError: string | undefined;
}

/**
 * The CLI's own output of a failed command. `CommandError` keeps the execa result in a field the `.d.ts`
 * marks private (sdk/nodejs/automation/errors.ts, cmd.ts: `new CommandResult("", error.message, -2, error)`
 * on a non-zero exit); its `toString()` repeats stderr twice, which is what printed `spawn pulumi ENOENT`
 * twice. Anything else is taken as its message.
 */
export function cliFailure(error: unknown): CliFailure {
  // The field is private in the SDK's types but is the only place the CLI's exit code and streams are kept.
  const result = (error as { commandResult?: { stderr?: unknown; stdout?: unknown; err?: unknown } })
    .commandResult;
  const spawned = result?.err as
    { exitCode?: unknown; stderr?: unknown; stdout?: unknown; code?: unknown; message?: unknown } | undefined;
  if (error instanceof CommandError && result) {
    const text = (value: unknown) => (typeof value === "string" ? value : "");
    return {
      exitCode: typeof spawned?.exitCode === "number" ? spawned.exitCode : undefined,
      stderr: text(spawned?.stderr) || text(result.stderr),
      stdout: text(spawned?.stdout) || text(result.stdout),
      spawnError: typeof spawned?.code === "string" ? spawned.code : undefined,
    };
  }
  return {
    exitCode: undefined,
    stderr: error instanceof Error ? error.message : String(error),
    stdout: "",
    spawnError: undefined,
  };
}

/** One paragraph an operator can act on: what the CLI refused and what to do about it. */
export function describePulumiError(error: unknown, stackName: string): string {
  const failure = cliFailure(error);
  if (failure.spawnError === "ENOENT") return PULUMI_CLI_MISSING;
  if (isPulumiLoginMissing(failure.stderr)) return PULUMI_LOGIN_MISSING;
  if (error instanceof StackNotFoundError)
    return (
      `Stack "${stackName}" does not exist in the backend the CLI is logged in to ` +
      `(check \`pulumi whoami -v\` and \`pulumi stack ls\`).`
    );
  if (isLockConflict(error))
    return (
      `Another update holds the lock of stack "${stackName}" (a Pulumi Deployments run, drift detection, a ` +
      `teammate's pulumi up): ${errorLines(failure.stderr).join(" ")}`
    );
  const lines = errorLines(failure.stderr);
  return lines.length > 0
    ? lines.join("\n")
    : failure.stderr.trim() || "the Pulumi CLI failed without a message";
}

/**
 * The diagnostic lines of a CLI error output, without execa's "Command failed with exit code …: <command
 * line>" preface and blank lines: Pulumi puts the lines that matter last.
 */
export function errorLines(text: string, count = 12): string[] {
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "" && !/^Command failed with /.test(line))
    .slice(-count);
}
