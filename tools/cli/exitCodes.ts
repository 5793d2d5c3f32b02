/**
 * Exit codes of every command (`plan`, `cutover`, `rollback`, `dora`, `promote`): 0, 1 and 2 mean the same
 * everywhere; 3 to 6 and 130 are the cut-over's and rollback's (the table in docs/runbook-cutover.md is
 * checked against these). Distinct codes let a pipeline tell "nothing changed" from "changed and undone"
 * from "a human is needed now".
 */
export const EXIT = {
  ok: 0,
  /**
   * The command failed. For the plan, DORA and promote: a bug (printed with its stack), or a source that
   * could not be read (said in one line). For the cut-over: the flip's update failed after changing
   * something; ams:activeColor was set back and a second update converged the stack on the old color.
   */
  failed: 1,
  /** Bad input — a flag, a config value, a file (`UsageError`, `ConfigError`); nothing was touched. */
  usage: 2,
  /** An alarm fired (or the alarms went unreadable) during the bake; the tool flipped back successfully. */
  rolledBack: 3,
  /** A pre-check refused the cut-over or rollback; nothing was changed. */
  refused: 4,
  /**
   * Nothing was changed: the tool could not run (no Pulumi CLI, not logged in, no such stack, the pre-checks'
   * reads failed) or the update failed before changing anything (another update holds the stack's lock, a
   * config, program or policy error); the stack config is as it was.
   */
  nothingChanged: 5,
  /**
   * A human is needed now: the update meant to put traffic back (or to restore the config) failed, so the
   * stack may be half-switched or still on the new color. The exact commands are printed.
   */
  manual: 6,
  /** Interrupted by Ctrl-C or SIGTERM (128 + SIGINT): what was done, the stack's state and what to do next. */
  interrupted: 130,
} as const;
