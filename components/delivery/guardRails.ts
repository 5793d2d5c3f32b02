import * as pulumi from "@pulumi/pulumi";
import { AmsConfig } from "../../config/types";
import { PreviousRelease } from "../../release/outputs";
import { assertExposureSteps } from "../environment/featureFlags/exposureGuard";
import { assertNoLiveUpdate } from "./blueGreen/liveUpdateGuard";
import {
  assertStrategyChangeAllowed,
  ReleaseTransition,
  releaseTransition,
  strategyChangeNotice,
} from "./core/transition";

/**
 * The rules an update is judged by against the stack's last one (its recorded outputs): no in-place change
 * of the live blue-green color, only strategy switches that are one safe update, prod release flags up one
 * exposure step at a time. Each throws a `ConfigError` before any resource is registered, so the preview
 * fails and nothing changes. Returns what the update changes relative to the last (core/transition.ts).
 */
export function judgeAgainstLastUpdate(previous: PreviousRelease, config: AmsConfig): ReleaseTransition {
  assertNoLiveUpdate(previous, config.release, config.delivery.allowLiveUpdate, config.stack);
  assertStrategyChangeAllowed(previous, config.release, config.stack);
  assertExposureSteps(previous.featureFlags, config.featureFlags, config.environment, config.stack);
  const strategyChange = strategyChangeNotice(previous, config.release);
  if (strategyChange) pulumi.log.warn(strategyChange);
  return releaseTransition(previous, config.release);
}
