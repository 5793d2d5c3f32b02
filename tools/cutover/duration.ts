const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** "90s" / "10m" / "1h" → milliseconds; anything else (units mixed, fractions, no unit) → undefined. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})([smh])$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]];
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
