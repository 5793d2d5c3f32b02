/**
 * Bad input from the person running a command — an unknown or malformed flag, a file that cannot be used,
 * a stack without a stack file — as opposed to a bug. Every command reports it in one paragraph that names
 * the flag (or file), the value and what is allowed, without a stack trace, and exits `EXIT.usage` (2).
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
