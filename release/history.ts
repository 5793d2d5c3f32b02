import { Color } from "../config/types";

/**
 * What a stack's update history says about its releases — the other half of the release contract, read by
 * `npm run dora` and written by `npm run cutover` / `npm run rollback`: the config key a flip sets (each
 * update's config snapshot records it) and the update messages of a flip, whose prefixes must not drift.
 */

/** The stack config key of the live color, as `pulumi config set` and each update's config snapshot name it. */
export const ACTIVE_COLOR_KEY = "ams:activeColor";

/** The applied `ams:activeColor` of a history entry's config (`{ value, secret }` per key), if plain. */
export function activeColorOf(config: unknown): string | undefined {
  if (typeof config !== "object" || config === null) return undefined;
  const entry = (config as Record<string, unknown>)[ACTIVE_COLOR_KEY];
  if (typeof entry !== "object" || entry === null) return undefined;
  const { value, secret } = entry as { value?: unknown; secret?: unknown };
  return secret !== true && typeof value === "string" && value !== "" ? value : undefined;
}

/** How a flip back starts its update message; `npm run dora` counts such updates as rollback flips. */
export const ROLLBACK_PREFIX = "rollback:";

export function cutoverMessage(stack: string, from: Color, to: Color): string {
  return `cutover: activeColor ${from}→${to} (${stack})`;
}

export function rollbackMessage(from: Color, to: Color, reason: string): string {
  return `${ROLLBACK_PREFIX} activeColor ${from}→${to} (${reason})`;
}
