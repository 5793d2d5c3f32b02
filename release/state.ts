import { Color, ReleaseConfig } from "../config/types";
import { otherColor } from "../config/release";

/** The release a stack declares, in the terms operators use: which color is live, which is idle, weights. */
export interface ReleaseState {
  readonly strategy: ReleaseConfig["strategy"];
  readonly activeColor: Color;
  readonly activeVersion: string;
  readonly idleColor: Color;
  /** `undefined` while the idle color has never been given a version. */
  readonly idleVersion: string | undefined;
  /** Percent of public traffic per color; always sums to 100. */
  readonly weights: Readonly<Record<Color, number>>;
}

/**
 * Derives the release state from config. The active color gets `100 − previewWeight` percent of public
 * traffic and the idle color `previewWeight`; config validation has already refused a preview weight for
 * an idle color that cannot serve it.
 */
export function describeRelease(release: ReleaseConfig): ReleaseState {
  const activeColor = release.activeColor;
  const idleColor = otherColor(activeColor);
  const activeVersion = release.versions[activeColor];
  if (activeVersion === undefined) {
    // parseAmsConfig refuses this; reaching it means a caller built a ReleaseConfig by hand.
    throw new Error(`activeColor ${activeColor} has no version`);
  }
  const idleWeight = release.previewWeight;
  return {
    strategy: release.strategy,
    activeColor,
    activeVersion,
    idleColor,
    idleVersion: release.versions[idleColor],
    weights: { [activeColor]: 100 - idleWeight, [idleColor]: idleWeight } as Record<Color, number>,
  };
}
