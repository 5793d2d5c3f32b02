import * as pulumi from "@pulumi/pulumi";

/** One rejected config value: which key, what it was, and what would have been accepted. */
export interface ConfigProblem {
  /** Key as a user types it after `pulumi config set` (`activeColor`, `api.minReplicas`, `aws:region`). */
  readonly key: string;
  /** The offending value, already rendered for display; `undefined` when the key is missing. */
  readonly value: string | undefined;
  /** What is allowed, phrased to complete "allowed: …". */
  readonly allowed: string;
}

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

  constructor(stack: string, problems: readonly ConfigProblem[]) {
    const plural = problems.length === 1 ? "problem" : "problems";
    super(
      `Invalid configuration for stack "${stack}" (${problems.length} ${plural}): ` +
        problems.map(describeProblem).join(" "),
    );
    this.name = "ConfigError";
    this.problems = problems;
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
    this.items.push({ key, value: "set in the stack config", allowed: `a key this program reads (${hint})` });
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
