import { describeProblem } from "../../config/errors";
import { otherColor, versionKey } from "../../config/release";
import { Color, ReleaseConfig } from "../../config/types";
import { PreviousRelease } from "../../release/outputs";
import { PromotionRefused } from "./refused";

/** Which config key a promotion sets, and what deploying it does. */
export interface PromotionTarget {
  readonly color: Color;
  /** `blueVersion` or `greenVersion` (without the project prefix). */
  readonly key: string;
  /** One sentence for the commit message and the pull request. */
  readonly effect: string;
}

/**
 * The key an operator would set, by strategy (docs/runbook-*.md): blue-green deploys a new version to the
 * idle color — idle by the applied state, so that when the stack file and the deployment disagree (a flip
 * declared but not applied, or applied but not yet merged) the guard rails see the version land on the color
 * that takes the traffic, and refuse; rolling and canary deploy the active color's version. `--color` names
 * the color explicitly (an emergency hotfix of the live color, which the guard rails allow only with
 * `allowLiveUpdate`).
 */
export function promotionTarget(
  declared: ReleaseConfig,
  deployed: PreviousRelease,
  requested: Color | undefined,
): PromotionTarget {
  if (declared.strategy !== "blueGreen") {
    const active = declared.activeColor;
    if (requested !== undefined && requested !== active)
      throw new PromotionRefused(
        describeProblem({
          key: "--color",
          value: JSON.stringify(requested),
          allowed:
            `${active} or no --color: strategy is ${declared.strategy}, which deploys the active color's ` +
            `version (${versionKey(active)}); ${versionKey(requested)} is not deployed`,
        }),
      );
    const how =
      declared.strategy === "rolling"
        ? "a rolling update of its pods, after the migration Job"
        : "an Argo Rollouts canary that shifts traffic step by step and aborts on the analysis thresholds";
    return {
      color: active,
      key: versionKey(active),
      effect: `${declared.strategy} deploys it to the active color ${active}: ${how}.`,
    };
  }
  const live = deployed.activeColor ?? declared.activeColor;
  const color = requested ?? otherColor(live);
  return {
    color,
    key: versionKey(color),
    effect:
      color === live
        ? `blueGreen updates the live color ${color} in place (an emergency hotfix: allowLiveUpdate).`
        : `blueGreen deploys it to the idle color ${color} behind the preview route; traffic moves only with ` +
          "the cut-over (npm run cutover).",
  };
}
