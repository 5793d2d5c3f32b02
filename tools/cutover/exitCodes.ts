/**
 * Exit codes of `npm run cutover` / `npm run rollback`. Distinct codes let a pipeline tell "refused, nothing
 * changed" and "rolled back by the tool" apart from a failure that needs a human.
 */
export const EXIT = {
  ok: 0,
  /** The flip failed or could not be restored, or a bug: read the message. */
  failed: 1,
  /** Bad command-line input; nothing was touched. */
  usage: 2,
  /** An alarm fired during the bake and the tool flipped back successfully. */
  rolledBack: 3,
  /** A pre-check refused the cut-over or rollback; nothing was changed. */
  refused: 4,
} as const;
