import { ConfigError, ConfigProblem } from "../../../config/errors";
import { otherColor, versionKey } from "../../../config/release";
import { Color, ReleaseConfig } from "../../../config/types";
import { ReleaseState } from "../../../release/state";
import { PreviousRelease } from "../../../release/outputs";

/**
 * What this update changes about traffic, relative to the last applied one — the part of a release that
 * depends on history, not on the config alone. One rule runs through it: whatever stops taking traffic in
 * an update keeps running until the next update. Pulumi's await of an Ingress only proves the AWS Load
 * Balancer Controller gave it an address (provider/pkg/await/ingress.go in pulumi/pulumi-kubernetes), not
 * that the listener rule now forwards elsewhere; so nothing the old rule may still send requests to is
 * removed or shrunk in the update that rewrote the rule.
 */
export interface ReleaseTransition {
  /**
   * Blue-green: the color that loses traffic in this update. It keeps its autoscaler floor (a `scaledDown`
   * idle policy applies from the next update on).
   */
  readonly drainingColor: Color | undefined;
  /**
   * Blue-green colors whose Deployment had no version in the last update: the program owned their replica
   * count (0), and must give it up now rather than keep it (see `replicaOwnership` in blueGreen/service.ts).
   */
  readonly versionlessBefore: readonly Color[];
  /** The strategy this update replaces: its workloads stay, frozen as deployed, until the next update. */
  readonly retiring: ReleaseState | undefined;
}

export function releaseTransition(previous: PreviousRelease, release: ReleaseConfig): ReleaseTransition {
  const sameStrategy = previous.strategy === undefined || previous.strategy === release.strategy;
  const previousActive = previous.activeColor;
  const wasBlueGreen = previous.strategy === "blueGreen" && previousActive !== undefined;
  return {
    drainingColor:
      sameStrategy && wasBlueGreen && previousActive !== release.activeColor ? previousActive : undefined,
    versionlessBefore: wasBlueGreen && previous.idleVersion === "" ? [otherColor(previousActive)] : [],
    retiring: sameStrategy ? undefined : retiringRelease(previous),
  };
}

function retiringRelease(previous: PreviousRelease): ReleaseState | undefined {
  if (previous.strategy === undefined || previous.activeColor === undefined) return undefined;
  if (previous.activeVersion === undefined || previous.activeVersion === "") return undefined;
  const idleColor = otherColor(previous.activeColor);
  return {
    strategy: previous.strategy,
    activeColor: previous.activeColor,
    activeVersion: previous.activeVersion,
    idleColor,
    idleVersion: previous.idleVersion === "" ? undefined : previous.idleVersion,
    weights: { [previous.activeColor]: 100, [idleColor]: 0 } as Record<Color, number>,
  };
}

/**
 * Strategy switches that cannot be one safe `pulumi up`, refused before anything is registered:
 * - blueGreen → canary. Argo Rollouts validates that the Ingress it is given has a rule whose backend is its
 *   root Service (`validateAlbIngress` in argoproj/argo-rollouts pkg/apis/rollouts/validation/
 *   validation_references.go) and does not start the Rollout otherwise. The blue-green Ingress forwards
 *   through its own weighted actions, so the Rollout could only start after the Ingress had been rewritten —
 *   and from that moment the ALB would forward to a target group with no ready canary pods. The rolling
 *   Ingress already forwards to `ams-api`, so rolling → canary works: go through rolling.
 * - a strategy change that also changes the live version: the new strategy's pods would come up with a
 *   version nobody ran under the old one, skipping both strategies' own gates.
 */
export function strategyChangeProblems(previous: PreviousRelease, release: ReleaseConfig): ConfigProblem[] {
  if (previous.strategy === undefined || previous.strategy === release.strategy) return [];
  const problems: ConfigProblem[] = [];
  if (previous.strategy === "blueGreen" && release.strategy === "canary") {
    problems.push({
      key: "strategy",
      value: JSON.stringify(release.strategy),
      allowed:
        '"blueGreen" or "rolling" while the stack runs blueGreen: switch to canary through rolling — ' +
        "`pulumi config set strategy rolling && pulumi up`, then `pulumi up` again (it removes the blue-green " +
        "workloads), then `pulumi config set strategy canary && pulumi up` (Argo Rollouts only adopts an " +
        "Ingress that already forwards to the ams-api Service, which the blue-green Ingress does not)",
    });
  }
  const version = release.versions[release.activeColor];
  if (previous.activeVersion !== undefined && previous.activeVersion !== version) {
    problems.push({
      key: versionKey(release.activeColor),
      value: JSON.stringify(version ?? ""),
      allowed:
        `${JSON.stringify(previous.activeVersion)}, the version ${previous.strategy} is serving, in the update ` +
        `that switches strategy to ${release.strategy} (switch first, then release the new version under it)`,
    });
  }
  return problems;
}

export function assertStrategyChangeAllowed(
  previous: PreviousRelease,
  release: ReleaseConfig,
  stack: string,
): void {
  const problems = strategyChangeProblems(previous, release);
  if (problems.length > 0) throw new ConfigError(stack, problems);
}

/** What the preview says about a strategy switch: it is a two-update migration, not a replacement. */
export function strategyChangeNotice(previous: PreviousRelease, release: ReleaseConfig): string | undefined {
  if (previous.strategy === undefined || previous.strategy === release.strategy) return undefined;
  return (
    `strategy changes from ${previous.strategy} to ${release.strategy}: this update brings ${release.strategy} ` +
    `up and moves traffic to it once it is ready; the ${previous.strategy} workloads keep running, untouched, ` +
    "until the next `pulumi up` removes them. Run that next update once the dashboard shows traffic on the new " +
    "workloads."
  );
}
