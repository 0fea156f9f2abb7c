// Timestamps in rows: ISO-8601 with milliseconds, UTC (inserted with date_time_input_format=
// best_effort into DateTime64(3, 'UTC')); dates as YYYY-MM-DD.
const DAY_MS = 86_400_000;

export const isoTime = (t: number): string => new Date(t).toISOString();
export const isoTimeOrNull = (t: number | null): string | null => (t === null ? null : isoTime(t));

/** Monday (UTC) of the week of `t`, as YYYY-MM-DD — the same as ClickHouse toMonday(). */
export function mondayOf(t: number): string {
  const day = Math.floor(t / DAY_MS);
  const monday = day - ((day + 3) % 7); // 1970-01-01 was a Thursday
  return isoTime(monday * DAY_MS).slice(0, 10);
}
