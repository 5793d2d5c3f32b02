import { DoraInputError } from "./model";

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** An RFC 3339 instant (what the Pulumi CLI prints: `2024-05-06T10:00:00.000Z`), or undefined. */
export function parseInstant(text: string): Date | undefined {
  if (!RFC3339.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** `--since`: a whole number of hours, days or weeks (`12h`, `30d`, `4w`), in milliseconds. */
export function parseSince(text: string): number {
  const match = /^([1-9]\d{0,4})([hdw])$/.exec(text);
  if (!match)
    throw new DoraInputError(
      `--since "${text}" is not a window length: use a whole number followed by h (hours), d (days) or ` +
        `w (weeks), e.g. 30d or 4w.`,
    );
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** A duration for people: `45 min`, `3 h 20 min`, `2 d 4 h`. Seconds are noise at DORA's scale. */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** UTC, to the second: the report is read across time zones. */
export function formatInstant(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
