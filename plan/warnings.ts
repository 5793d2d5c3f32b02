import { readPreviousRelease } from "../release/outputs";

/**
 * Hazards a reviewer of a `--compare` should not miss although the plan itself is valid. Today one: a change
 * that moves live traffic to a lower version than it serves now. That is what a rollback does on purpose;
 * anything else is usually a flip before the new version reached the idle color (the committed prod stack
 * serves 1.4.0 with 1.3.2 idle, so `--compare activeColor=green` on it is exactly that).
 */
export function flipWarnings(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): string[] {
  const [from, to] = [readPreviousRelease(before), readPreviousRelease(after)];
  if (!from.ok || !to.ok) return [];
  const [live, next] = [from.release.activeVersion, to.release.activeVersion];
  if (live === undefined || next === undefined || compareVersionTags(next, live) >= 0) return [];
  return [
    `live traffic moves from ${live} to ${next}, a lower version. That is right for a rollback; for a ` +
      `release, deploy the new version to the idle color first (--compare ${to.release.activeColor}Version=<new>).`,
  ];
}

/**
 * Orders two image tags by their numeric dot-separated parts (`1.10.0` > `1.9.2`); `0` when either has none
 * (a tag such as `latest` or a commit hash says nothing about order).
 */
export function compareVersionTags(a: string, b: string): number {
  const parts = (tag: string) => /^v?(\d+(?:\.\d+)*)/.exec(tag)?.[1].split(".").map(Number);
  const [x, y] = [parts(a), parts(b)];
  if (x === undefined || y === undefined) return 0;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}
