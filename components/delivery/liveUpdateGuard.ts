import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ConfigProblem } from "../../amsConfig/errors";
import { otherColor, versionKey } from "../../amsConfig/release";
import { Color, ReleaseConfig } from "../../amsConfig/types";

/** What the previous `pulumi up` of this stack exported (its own outputs, read back). */
export interface PreviousRelease {
  readonly activeColor?: Color;
  readonly activeVersion?: string;
  readonly lastSwitchTime?: string;
}

/**
 * Changing the version of the color that takes traffic would roll the live pods in place: no migration
 * gate before traffic, no preview, no warm color to flip back to. Refused unless `allowLiveUpdate` is set
 * for an emergency. A first deploy (no previous outputs) and a flip are fine.
 */
export function liveUpdateProblems(
  previous: PreviousRelease,
  release: ReleaseConfig,
  allowLiveUpdate: boolean,
): ConfigProblem[] {
  const color = release.activeColor;
  const version = release.versions[color];
  if (
    allowLiveUpdate ||
    previous.activeColor !== color ||
    previous.activeVersion === undefined ||
    previous.activeVersion === version
  ) {
    return [];
  }
  const idle = otherColor(color);
  return [
    {
      key: versionKey(color),
      value: JSON.stringify(version),
      allowed:
        `${JSON.stringify(previous.activeVersion)}, the version ${color} is serving, because ${color} takes traffic ` +
        `(deploy to ${versionKey(idle)} and flip activeColor, or set allowLiveUpdate=true for an emergency hotfix)`,
    },
  ];
}

/** When traffic last moved: now if this update flips, else whatever the previous update recorded. */
export function lastSwitchTime(previous: PreviousRelease, activeColor: Color, now: Date): string {
  return previous.activeColor !== undefined && previous.activeColor === activeColor
    ? (previous.lastSwitchTime ?? "")
    : now.toISOString();
}

/** Reads this stack's own outputs from its last update, through a StackReference to itself. */
export async function readPreviousRelease(): Promise<PreviousRelease> {
  const organization = pulumi.getOrganization();
  const name = `${organization ? `${organization}/` : ""}${pulumi.getProject()}/${pulumi.getStack()}`;
  const self = new pulumi.StackReference("ams-previous-release", { name });
  const read = async (key: string) => (await self.getOutputDetails(key)).value as string | undefined;
  return {
    activeColor: (await read("activeColor")) as Color | undefined,
    activeVersion: await read("activeVersion"),
    lastSwitchTime: await read("lastSwitchTime"),
  };
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
