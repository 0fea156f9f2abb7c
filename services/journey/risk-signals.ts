// When the churn-risk signals fire for an account in an ordinary stage entered on `refDay`:
//  - inactivity: the midnight after `inactive_days` whole days without activity;
//  - usage drop: the first midnight where the active-day rate of the last `recent_days` fell below
//    `below_ratio` x the rate of the last `baseline_days` (with enough baseline days).
// Only whole days before `now`'s day are read: no event within the lateness can change them.
import { DAY_MS, MAX_WEEKS, dayOf } from './account-state.ts';
import type { AccountState } from './account-state.ts';
import type { JourneyMap } from './journey-map.ts';

/** How far back the usage check looks (the span the week table can hold). */
const USAGE_LOOKBACK_DAYS = 84;

export function inactivityFiresAt(
  s: AccountState,
  refDay: number,
  days: readonly number[],
  map: JourneyMap,
): number {
  const n = map.churn_risk.inactive_days;
  // A full week table may have dropped older active days: start from its oldest day then (a gap
  // before it was timed when it happened).
  const oldest = days[0];
  let anchor = oldest !== undefined && oldest > refDay && s.weeks.length >= MAX_WEEKS ? oldest : refDay;
  for (const day of days) {
    if (day <= anchor) continue;
    if (day > anchor + n) break;
    anchor = day;
  }
  return (anchor + 1 + n) * DAY_MS;
}

export function usageDropFiresAt(
  s: AccountState,
  refDay: number,
  days: readonly number[],
  now: number,
  map: JourneyMap,
): number | null {
  const rule = map.churn_risk.usage_drop;
  if (!rule) return null;
  const last = dayOf(now);
  const afterExit = s.lastRiskExitAt === null ? -Infinity : dayOf(s.lastRiskExitAt) + rule.recent_days + 1;
  const first = Math.max(refDay + 1, afterExit, last - USAGE_LOOKBACK_DAYS);
  if (first > last) return null;
  // prefix[i] = active days in [origin, origin + i)
  const origin = first - rule.baseline_days;
  const prefix = new Array<number>(last - origin + 1).fill(0);
  const set = new Set(days);
  for (let i = 1; i < prefix.length; i++) prefix[i] = prefix[i - 1]! + (set.has(origin + i - 1) ? 1 : 0);
  const count = (from: number, to: number): number => prefix[to - origin]! - prefix[from - origin]!;
  for (let d = first; d <= last; d++) {
    const baseline = count(d - rule.baseline_days, d);
    if (baseline < rule.min_baseline_active_days) continue;
    const recent = count(d - rule.recent_days, d);
    if (recent / rule.recent_days < rule.below_ratio * (baseline / rule.baseline_days)) return d * DAY_MS;
  }
  return null;
}
