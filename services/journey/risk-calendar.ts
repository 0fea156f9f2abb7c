// The days churn-risk counts (the map's churn_risk.quiet_days): weekends and yearly quiet periods
// (a holiday fortnight) are skipped — neither active nor inactive — so a B2B account quiet on
// Saturdays, or everyone quiet over New Year, is not at risk for it. Inactivity counts counted days
// without activity; the usage rates count active days over counted days. Pure, on UTC day numbers.
import { DAY_MS, weekdayOf } from './account-state.ts';

export interface RiskCalendar {
  weekends: boolean;
  /** Yearly, inclusive, `MM-DD`; a period may wrap the year end (12-20 to 01-05). */
  periods: ReadonlyArray<{ from: string; to: string }>;
}

export const EVERY_DAY: RiskCalendar = { weekends: false, periods: [] };

const monthDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(5, 10);

/** Per calendar, the days already looked up: timers ask about the same few hundred days for every
 * account (a date formatted per day per account was most of a sweep's time). */
const memo = new WeakMap<RiskCalendar, Map<number, boolean>>();

export function isCounted(day: number, calendar: RiskCalendar): boolean {
  if (calendar.weekends && weekdayOf(day) >= 5) return false;
  if (calendar.periods.length === 0) return true;
  let days = memo.get(calendar);
  if (!days) memo.set(calendar, (days = new Map()));
  let counted = days.get(day);
  if (counted === undefined) {
    const md = monthDay(day);
    counted = !calendar.periods.some(({ from, to }) =>
      from <= to ? md >= from && md <= to : md >= from || md <= to,
    );
    if (days.size > 100_000) days.clear();
    days.set(day, counted);
  }
  return counted;
}

/** The day on which the n-th counted day after `day` falls (a year of quiet days at most). */
export function nthCountedDayAfter(day: number, n: number, calendar: RiskCalendar): number {
  let d = day;
  for (let found = 0, guard = 0; found < n && guard < n + 400; guard++) {
    d++;
    if (isCounted(d, calendar)) found++;
  }
  return d;
}

/** Active-day counts over counted days in [from, to): `window(d, n)` = active days among the n
 * counted days before day d (null when fewer lie in range); `countedBefore(d)` = counted days
 * before d (it grows at d exactly when day d - 1 is counted). */
export function countedActivity(
  activeDays: ReadonlySet<number>,
  from: number,
  to: number,
  calendar: RiskCalendar,
): { window: (d: number, n: number) => number | null; countedBefore: (d: number) => number } {
  const counted: number[] = [];
  const prefix = [0];
  for (let d = from; d < to; d++) {
    if (!isCounted(d, calendar)) continue;
    counted.push(d);
    prefix.push(prefix[prefix.length - 1]! + (activeDays.has(d) ? 1 : 0));
  }
  const countedBefore = (d: number): number => {
    let lo = 0;
    let hi = counted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (counted[mid]! < d) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    countedBefore,
    window: (d, n) => {
      const k = countedBefore(d);
      return k < n ? null : prefix[k]! - prefix[k - n]!;
    },
  };
}
