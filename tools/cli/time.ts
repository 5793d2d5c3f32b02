/**
 * Durations and instants on the command line and in what the tools print: one set of units for every tool
 * (`--bake 10m`, `--poll 30s`, `--since 30d`), two ways of printing a duration, one instant format.
 */

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
export type DurationUnit = keyof typeof UNIT_MS;

/**
 * A whole number of one unit (`90s`, `10m`, `1h`, `30d`, `4w`) in milliseconds; `units` are the ones the flag
 * accepts (default seconds, minutes, hours). Anything else (units mixed, fractions, no unit, a leading zero,
 * more than six digits) → undefined; range checks are the caller's, which knows the flag.
 */
export function parseDuration(
  text: string,
  units: readonly DurationUnit[] = ["s", "m", "h"],
): number | undefined {
  const match = /^(0|[1-9]\d{0,5})([a-z])$/.exec(text);
  if (!match || !(units as readonly string[]).includes(match[2])) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as DurationUnit];
}

/** 150_000 → "2m30s": short enough for a progress line, exact to the second. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const parts: string[] = [];
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}m`);
  if (seconds || parts.length === 0) parts.push(`${seconds}s`);
  return parts.join("");
}

/** A duration for a report read by people: `45 min`, `3 h 20 min`, `2 d 4 h`. Seconds are noise at that scale. */
export function formatDurationRounded(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** An RFC 3339 instant (what the Pulumi CLI and `git show --format=%aI` print), or undefined. */
export function parseInstant(text: string): Date | undefined {
  if (!RFC3339.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** UTC, to the second: what the tools print is read across time zones. */
export function formatInstant(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
