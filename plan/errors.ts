/**
 * A problem with how the plan was asked for (unknown stack, malformed `--set`), as opposed to a bug.
 * The plan command reports it in one paragraph and exits 2, like an invalid config value.
 */
export class PlanInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanInputError";
  }
}
