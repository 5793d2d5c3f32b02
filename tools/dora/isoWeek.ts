const DAY_MS = 86_400_000;

export interface IsoWeek {
  /** `2024-W18`. */
  readonly key: string;
  /** Monday 00:00 UTC. */
  readonly monday: Date;
}

/** The ISO 8601 week of an instant, in UTC: weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(date: Date): IsoWeek {
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const daysSinceMonday = (new Date(midnight).getUTCDay() + 6) % 7;
  const monday = midnight - daysSinceMonday * DAY_MS;
  // The Thursday of the week decides which year the week belongs to.
  const thursday = new Date(monday + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return { key: `${year}-W${String(week).padStart(2, "0")}`, monday: new Date(monday) };
}

/** Every ISO week that overlaps [start, end], oldest first. */
export function isoWeeksBetween(start: Date, end: Date): IsoWeek[] {
  const weeks: IsoWeek[] = [];
  for (let monday = isoWeek(start).monday.getTime(); monday <= end.getTime(); monday += 7 * DAY_MS)
    weeks.push(isoWeek(new Date(monday)));
  return weeks;
}
