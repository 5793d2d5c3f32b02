import { ConfigError, ConfigProblem } from "../../../config/errors";
import { FeatureFlagConfig, FeatureFlagsConfig, FlagType } from "../../../config/featureFlags";
import { EnvironmentName } from "../../../config/types";
import { FlagState, PreviousFlagStates } from "../../../release/outputs";
import { exposureOf, highestAllowedExposure, isAllowedExposureMove } from "../../../policy/exposureSteps";

/** Only prod guards exposure: dev and staging are where a flag is tried at any percentage. */
export function guardsExposure(environment: EnvironmentName): boolean {
  return environment === "prod";
}

/** Exposure the last update left a flag at: 0 for a flag it did not have (a new flag starts at the bottom). */
export function previousExposure(previous: PreviousFlagStates, name: string): number {
  const state = previous?.[name];
  return state === undefined
    ? 0
    : exposureOf({ enabled: state.enabled, rolloutPercentage: state.rolloutPercentage ?? 0 });
}

/**
 * Prod release flags whose exposure would jump past a step in this update, judged against the stack's
 * previous outputs like the live-color guard (components/delivery/blueGreen/liveUpdateGuard.ts). Down or off always
 * passes: that is how a release flag is rolled back.
 */
export function exposureProblems(
  previous: PreviousFlagStates,
  flags: FeatureFlagsConfig,
  environment: EnvironmentName,
): ConfigProblem[] {
  if (!guardsExposure(environment)) return [];
  const steps = flags.exposureSteps;
  return flags.flags
    .filter((flag) => flag.type === "release")
    .flatMap((flag): ConfigProblem[] => {
      const from = previousExposure(previous, flag.name);
      const to = exposureOf(flag);
      if (isAllowedExposureMove(steps, from, to)) return [];
      const limit = highestAllowedExposure(steps, from);
      return [
        {
          key: `featureFlags.${flag.name}.rolloutPercentage`,
          value: `${flag.rolloutPercentage}${flag.enabled ? "" : " (off)"}`,
          allowed:
            `at most ${limit} in this update, because ${flag.name} is at ${from} % ` +
            `(${previous?.[flag.name] ? "as the last update left it" : "a new flag starts at 0"}) and a prod release ` +
            `flag moves up one step per update along ${steps.join(" → ")}; going down or off is always allowed`,
        },
      ];
    });
}

export function assertExposureSteps(
  previous: PreviousFlagStates,
  flags: FeatureFlagsConfig,
  environment: EnvironmentName,
  stack: string,
): void {
  const problems = exposureProblems(previous, flags, environment);
  if (problems.length > 0) throw new ConfigError(stack, problems);
}

/**
 * What the policy pack needs on a prod release flag's resource to judge the same rule without the stack's
 * history: the steps and the exposure the previous update recorded.
 */
export function exposureGuardOf(
  flag: FeatureFlagConfig,
  previous: PreviousFlagStates,
  flags: FeatureFlagsConfig,
  environment: EnvironmentName,
): { steps: readonly number[]; previousExposure: number } | undefined {
  if (!guardsExposure(environment) || flag.type !== "release") return undefined;
  return { steps: flags.exposureSteps, previousExposure: previousExposure(previous, flag.name) };
}

/** The states a stack file declares, as the outputs of an update that applied it would record them. */
export function declaredFlagStates(flags: FeatureFlagsConfig): Record<string, FlagState> {
  return Object.fromEntries(flags.flags.map((flag) => [flag.name, declaredState(flag)]));
}

export function declaredState(flag: FeatureFlagConfig): FlagState {
  return {
    type: flag.type,
    enabled: flag.enabled,
    rolloutPercentage: flag.rolloutPercentage,
    stickiness: flag.stickiness,
    impressionData: impressionDataOf(flag.type),
  };
}

/** Release flags record every evaluation (impression events), so the app can log who saw what. */
export function impressionDataOf(type: FlagType): boolean {
  return type === "release";
}
