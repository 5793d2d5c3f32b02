import * as pulumi from "@pulumi/pulumi";

/** One rejected config value: which key, what it was, and what would have been accepted. */
export interface ConfigProblem {
  /** Key as a user types it after `pulumi config set` (`activeColor`, `api.minReplicas`, `aws:region`). */
  readonly key: string;
  /** The offending value, already rendered for display; `undefined` when the key is missing. */
  readonly value: string | undefined;
  /** What is allowed, phrased to complete "allowed: …". */
  readonly allowed: string;
  /** For a key no reader asked for: the "did you mean" hint, kept to re-word it once its origin is known. */
  readonly unreadKeyHint?: string;
}

/**
 * Where a key's value came from, as far as the caller knows it: the program under `pulumi up` sees one flat
 * config map, the offline plan knows the files and the command line.
 */
export type KeyOrigin = "Pulumi.yaml" | "stack file" | "command line";

export function describeProblem(problem: ConfigProblem): string {
  return `${problem.key} is ${problem.value ?? "not set"}; allowed: ${problem.allowed}.`;
}

/**
 * Thrown before any resource is registered when the stack config is invalid. It lists every problem at
 * once, so one `pulumi config set` round fixes them all. It is a `pulumi.RunError` so the Pulumi CLI
 * prints the message without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
  readonly problems: readonly ConfigProblem[];

  readonly stack: string;

  constructor(stack: string, problems: readonly ConfigProblem[]) {
    const plural = problems.length === 1 ? "problem" : "problems";
    super(
      `Invalid configuration for stack "${stack}" (${problems.length} ${plural}): ` +
        problems.map(describeProblem).join(" "),
    );
    this.name = "ConfigError";
    this.stack = stack;
    this.problems = problems;
  }

  /**
   * The same error with every unread key explained by where it came from: a key declared in `Pulumi.yaml`
   * that no reader reads is a missing reader, not a stack-file typo; one given with `--set` is a typo on
   * the command line, not in the stack file.
   */
  withKeyOrigins(originOf: (key: string) => KeyOrigin | undefined): ConfigError {
    const explained = this.problems.map((problem) =>
      problem.unreadKeyHint === undefined
        ? problem
        : unreadKey(problem.key, problem.unreadKeyHint, originOf(problem.key), this.stack),
    );
    return new ConfigError(this.stack, explained);
  }

  /** Works across module copies, like `pulumi.RunError.isInstance`. */
  static isConfigError(err: unknown): err is ConfigError {
    return err instanceof Error && err.name === "ConfigError" && Array.isArray((err as ConfigError).problems);
  }
}

/** Collects problems while a config is parsed, so all of them are reported together. */
export class ProblemList {
  private readonly items: ConfigProblem[] = [];

  add(key: string, value: unknown, allowed: string): void {
    this.items.push({ key, value: value === undefined ? undefined : show(value), allowed });
  }

  /** A key nobody reads. Its value is not shown: it may be a mistyped secret, decrypted by Pulumi. */
  addUnknownKey(key: string, hint: string): void {
    this.items.push(unreadKey(key, hint, undefined, undefined));
  }

  /** A problem about a key whose value must not be shown (a secret, decrypted by Pulumi). */
  addHidden(key: string, allowed: string): void {
    this.items.push({ key, value: "set in the stack config", allowed });
  }

  get all(): readonly ConfigProblem[] {
    return this.items;
  }
}

/** Renders a config value for an error message: strings quoted, objects as compact JSON. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** The steps that make a declared key real; the error for a key declared but not read points to them. */
export const ADD_A_KEY_STEPS =
  "a reader in config/ (its type in config/types.ts), the component that uses it, a spec and a line in " +
  "docs/change-log.md (CONTRIBUTING.md, adding a config key)";

function unreadKey(
  key: string,
  hint: string,
  origin: KeyOrigin | undefined,
  stack: string | undefined,
): ConfigProblem {
  const readable = `a key this program reads (${hint})`;
  switch (origin) {
    case "Pulumi.yaml":
      return {
        key,
        value: "declared in Pulumi.yaml, but nothing in config/ reads it",
        allowed: `a declared key with ${ADD_A_KEY_STEPS}`,
        unreadKeyHint: hint,
      };
    case "command line":
      return {
        key,
        value: "given on the command line (--set or --compare)",
        allowed: readable,
        unreadKeyHint: hint,
      };
    case "stack file":
      return {
        key,
        value: `set in ${stack === undefined ? "the stack file" : `Pulumi.${stack}.yaml`}`,
        allowed: readable,
        unreadKeyHint: hint,
      };
    default:
      return {
        key,
        value: "set in the stack config (Pulumi.<stack>.yaml, or a default in Pulumi.yaml)",
        allowed: readable,
        unreadKeyHint: hint,
      };
  }
}
