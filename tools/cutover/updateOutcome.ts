import { Applied, ExpectedChange, PlannedStep, UpdateEntry } from "./ports";

/**
 * Reading what an update did from what the engine reports. Pure: the Automation API adapter collects the
 * evidence, these functions judge it.
 */

/**
 * Operations that change nothing: the engine's own `HasChanges` skips exactly these (pulumi/pulumi
 * pkg/engine/update.go; https://github.com/pulumi/pulumi/blob/master/pkg/engine/update.go): `OpSame`, `OpRead`,
 * `OpReadDiscard` and `OpReadReplacement`, whose strings are "same", "read", "discard" and "read-replacement"
 * (pkg/resource/deploy/step.go).
 */
const NO_CHANGE_OPS: ReadonlySet<string> = new Set(["same", "read", "discard", "read-replacement"]);

export function changesSomething(op: string): boolean {
  return !NO_CHANGE_OPS.has(op);
}

export interface FailedUpdateEvidence {
  /** The engine's event stream for the update was received (its prelude event arrived). */
  readonly eventsSeen: boolean;
  /** Steps that change something which the engine started (resourcePreEvent), finished or not. */
  readonly startedChanges: number;
  /** The summary event said a resource may be in an invalid state. */
  readonly maybeCorrupt: boolean;
  /**
   * The history entry this update created: `null` when the history shows none (the update never started —
   * a lock conflict, a config error before the engine ran); `undefined` when the history could not be read.
   */
  readonly entry: UpdateEntry | null | undefined;
}

/**
 * Whether a failed `pulumi up` changed anything. A step counts from the moment the engine starts it: a
 * failed step is not in the summary's or the history's `resourceChanges` (only completed steps are,
 * pkg/engine/update.go `OnResourceStepPost`) but may have changed its resource half-way. So "nothing" needs
 * positive evidence: no history entry at all, or an entry plus an event stream with no changing step in it.
 */
export function appliedByFailedUpdate(evidence: FailedUpdateEvidence): Applied {
  if (evidence.startedChanges > 0 || evidence.maybeCorrupt) return "some";
  if (evidence.entry === null) return "nothing";
  if (evidence.entry === undefined || !evidence.eventsSeen) return "unknown";
  if (evidence.entry.result === "in-progress") return "unknown";
  const changed = Object.entries(evidence.entry.resourceChanges).some(
    ([op, count]) => changesSomething(op) && count > 0,
  );
  return changed ? "some" : "nothing";
}

/** The URN without `urn:pulumi:<stack>::<project>::`: the offline plan and the real stack name stacks alike. */
function resourcePath(urn: string): string {
  const parts = urn.split("::");
  return parts.length >= 3 ? parts.slice(2).join("::") : urn;
}

export interface FlipPreviewCheck {
  /** Planned steps that change something a flip does not change (or change it differently): "op urn". */
  readonly unexpected: readonly string[];
  /** Changes the offline plan expects that the preview does not plan (the live stack already has them). */
  readonly absent: readonly string[];
}

/**
 * Compares a preview of the flip with what the offline plan says a flip changes. Anything else in the
 * preview — an unreleased program change in the checkout, a stack file edited since the last deploy, a
 * replacement instead of an in-place update — would ship with the flip, unreviewed.
 */
export function checkFlipPreview(
  steps: readonly PlannedStep[],
  expected: readonly ExpectedChange[],
): FlipPreviewCheck {
  const wanted = new Map(expected.map((change) => [resourcePath(change.urn), change.op]));
  const planned = steps.filter((step) => changesSomething(step.op));
  const unexpected = planned
    .filter((step) => !matchesExpected(step.op, wanted.get(resourcePath(step.urn))))
    .map((step) => `${step.op} ${step.urn}`);
  const seen = new Set(planned.map((step) => resourcePath(step.urn)));
  const absent = expected.filter((change) => !seen.has(resourcePath(change.urn))).map((change) => change.urn);
  return { unexpected, absent };
}

/**
 * The engine carries out one replace as three steps of the same URN — `create-replacement`, `replace` and
 * `delete-replaced` (in the opposite order for delete-before-replace) — where the offline plan names one
 * `replace` (pulumi/pulumi pkg/resource/deploy/step_generator.go, `generateStepsFromDiff`:
 * https://github.com/pulumi/pulumi/blob/master/pkg/resource/deploy/step_generator.go).
 */
const REPLACE_STEPS: ReadonlySet<string> = new Set(["create-replacement", "replace", "delete-replaced"]);

function matchesExpected(stepOp: string, expectedOp: string | undefined): boolean {
  if (expectedOp === "replace") return REPLACE_STEPS.has(stepOp);
  return stepOp === expectedOp;
}
