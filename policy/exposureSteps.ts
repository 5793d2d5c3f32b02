/**
 * The exposure-steps rule of prod release flags, in one place for the program's guard
 * (components/environment/featureFlags/exposureGuard.ts) and the policy pack (featureFlagPolicies.ts).
 * Dependency-free, so the pack stays self-contained when it is published.
 *
 * A flag's exposure is the share of users it is on for: its rollout percentage while enabled, 0 while off.
 * Up moves one step at a time (from 0 or any value, to the smallest step above it); down, including off, is
 * always allowed, because that is the rollback.
 */

/** Exposure in percent: the rollout percentage while the flag is on, 0 while it is off. */
export function exposureOf(state: { readonly enabled: boolean; readonly rolloutPercentage: number }): number {
  return state.enabled ? state.rolloutPercentage : 0;
}

/** The highest exposure allowed after `previous`: the next step above it, or `previous` at the top. */
export function highestAllowedExposure(steps: readonly number[], previous: number): number {
  return steps.find((step) => step > previous) ?? Math.max(previous, 100);
}

/** Whether `next` is a move along the steps from `previous`: down (or equal), or exactly one step up. */
export function isAllowedExposureMove(steps: readonly number[], previous: number, next: number): boolean {
  return next <= previous || next === highestAllowedExposure(steps, previous);
}
