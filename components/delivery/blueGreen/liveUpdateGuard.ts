import { ConfigError, ConfigProblem } from "../../../config/errors";
import { otherColor, versionKey } from "../../../config/release";
import { ReleaseConfig } from "../../../config/types";
import { PreviousRelease } from "../../../release/outputs";

/**
 * The release guard rails, judged against this stack's previous outputs (a first deploy has none):
 * - blue-green: changing the version of the color that takes traffic rolls the live pods in place (no
 *   migration gate before traffic, no preview, no warm color to flip back to);
 * - blue-green: a new idle version while `previewWeight` > 0 reaches users before its smoke test;
 * - blue-green: a flip that also changes the target color's version puts a version live that no one could
 *   try on the preview route (only its smoke test runs first).
 * `allowLiveUpdate` overrides them for an emergency. A flip to what the idle color already runs is always fine.
 */
export function liveUpdateProblems(
  previous: PreviousRelease,
  release: ReleaseConfig,
  allowLiveUpdate: boolean,
): ConfigProblem[] {
  if (allowLiveUpdate || release.strategy !== "blueGreen") return [];
  const problems: ConfigProblem[] = [];
  const color = release.activeColor;
  const idle = otherColor(color);
  const idleVersion = release.versions[idle];
  // With preview traffic on, a new idle version would reach real users before its smoke test.
  if (
    release.previewWeight > 0 &&
    previous.activeColor === color &&
    previous.idleVersion !== undefined &&
    previous.idleVersion !== "" &&
    previous.idleVersion !== idleVersion
  ) {
    problems.push({
      key: versionKey(idle),
      value: JSON.stringify(idleVersion ?? ""),
      allowed:
        `${JSON.stringify(previous.idleVersion)} while previewWeight is ${release.previewWeight} ` +
        "(set previewWeight to 0 first, deploy, then raise it again)",
    });
  }
  const version = release.versions[color];
  if (
    previous.activeColor !== undefined &&
    previous.activeColor !== color &&
    previous.idleVersion !== undefined &&
    previous.idleVersion !== version
  ) {
    const ran = previous.idleVersion === "" ? "no version" : JSON.stringify(previous.idleVersion);
    problems.push({
      key: versionKey(color),
      value: JSON.stringify(version),
      allowed:
        `${previous.idleVersion === "" ? "a version deployed earlier" : ran}, what ${color} ran while idle, in the ` +
        `update that flips traffic to it (${color} had ${ran}: deploy ${versionKey(color)} first, try it on the ` +
        "preview route, then flip; or set allowLiveUpdate=true for an emergency)",
    });
  }
  if (
    previous.activeColor === color &&
    previous.activeVersion !== undefined &&
    previous.activeVersion !== version
  ) {
    problems.push({
      key: versionKey(color),
      value: JSON.stringify(version),
      allowed:
        `${JSON.stringify(previous.activeVersion)}, the version ${color} is serving, because ${color} takes traffic ` +
        `(deploy to ${versionKey(idle)} and flip activeColor, or set allowLiveUpdate=true for an emergency hotfix)`,
    });
  }
  return problems;
}

export function assertNoLiveUpdate(
  previous: PreviousRelease,
  release: ReleaseConfig,
  allowLiveUpdate: boolean,
  stack: string,
): void {
  const problems = liveUpdateProblems(previous, release, allowLiveUpdate);
  if (problems.length > 0) throw new ConfigError(stack, problems);
}
