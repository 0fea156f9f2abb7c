// Timestamps in rows: ISO-8601 with milliseconds, UTC (inserted with date_time_input_format=
// best_effort into DateTime64(3, 'UTC')); dates as YYYY-MM-DD.
const DAY_MS = 86_400_000;
const MAX_ISO_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z: four-digit years
const dayPrefixes = new Map<number, string>();
const twoDigits = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** The same string as `new Date(t).toISOString()`, ~7x faster: every row has a few timestamps, and
 *  Date formatting was 8 % of the journey core's time. The date part is cached per UTC day. */
export function isoTime(t: number): string {
  if (!Number.isInteger(t) || t < 0 || t > MAX_ISO_MS) return new Date(t).toISOString();
  const day = Math.floor(t / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size >= 4096) dayPrefixes.clear();
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  let rest = t - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const ms = rest - seconds * 1000;
  const msText = ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : `${ms}`;
  return `${prefix}${twoDigits(hours)}:${twoDigits(minutes)}:${twoDigits(seconds)}.${msText}Z`;
}

export const isoTimeOrNull = (t: number | null): string | null => (t === null ? null : isoTime(t));

/** Monday (UTC) of the week of `t`, as YYYY-MM-DD — the same as ClickHouse toMonday(). */
export function mondayOf(t: number): string {
  const day = Math.floor(t / DAY_MS);
  const monday = day - ((day + 3) % 7); // 1970-01-01 was a Thursday
  return isoTime(monday * DAY_MS).slice(0, 10);
}
