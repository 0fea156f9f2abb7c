// When the churn-risk signals fire for an account in an ordinary stage entered on `refDay`:
//  - inactivity: the midnight after `inactive_days` counted days without activity;
//  - usage drop: the first midnight closing the `enter_days`-th consecutive counted day where the
//    active-day rate of the last `recent_days` counted days fell below `below_ratio` x the rate of
//    the last `baseline_days` (with enough baseline days);
// and when a usage-drop episode ends (with `exit_ratio`): the midnight closing the `exit_days`-th
// consecutive counted day where the recent rate is back above `exit_ratio` x the baseline the drop
// was measured against. The band between below_ratio and exit_ratio, and the consecutive days,
// are the hysteresis: a steady account wobbling around one threshold does not flap. Counted days
// skip the map's quiet days (risk-calendar.ts).
// Only whole days before `now`'s day are read: no event within the lateness can change them.
import { DAY_MS, MAX_WEEKS, dayOf } from './account-state.ts';
import type { AccountState } from './account-state.ts';
import type { JourneyMap } from './journey-map.ts';
import { countedActivity, nthCountedDayAfter } from './risk-calendar.ts';

/** How far back the usage check looks (the span the week table can hold). */
const USAGE_LOOKBACK_DAYS = 84;

export function inactivityFiresAt(
  s: AccountState,
  refDay: number,
  days: readonly number[],
  map: JourneyMap,
): number {
  const n = map.churn_risk.inactive_days;
  const calendar = map.churn_risk.quiet_days;
  // A full week table may have dropped older active days: start from its oldest day then (a gap
  // before it was timed when it happened).
  const oldest = days[0];
  let anchor = oldest !== undefined && oldest > refDay && s.weeks.length >= MAX_WEEKS ? oldest : refDay;
  let deadline = nthCountedDayAfter(anchor, n, calendar);
  for (const day of days) {
    if (day <= anchor) continue;
    if (day > deadline) break;
    anchor = day;
    deadline = nthCountedDayAfter(anchor, n, calendar);
  }
  return (deadline + 1) * DAY_MS;
}

type Rule = NonNullable<JourneyMap['churn_risk']['usage_drop']>;

type Activity = ReturnType<typeof countedActivity>;

/** Recent and baseline active-day rates at midnight d, or null without enough baseline. */
function ratesAt({ window }: Activity, d: number, rule: Rule) {
  const baseline = window(d, rule.baseline_days);
  const recent = window(d, rule.recent_days);
  if (baseline === null || recent === null || baseline < rule.min_baseline_active_days) return null;
  return { recent: recent / rule.recent_days, baseline: baseline / rule.baseline_days };
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
  const calendar = map.churn_risk.quiet_days;
  const last = dayOf(now);
  const afterExit = s.lastRiskExitAt === null ? -Infinity : dayOf(s.lastRiskExitAt) + rule.recent_days + 1;
  const first = Math.max(refDay + 1, afterExit, last - USAGE_LOOKBACK_DAYS);
  if (first > last) return null;
  const activity = countedActivity(new Set(days), first - 2 * rule.baseline_days - 60, last, calendar);
  let streak = 0;
  for (let d = first; d <= last; d++) {
    // Evaluated at the midnights that close a counted day: a quiet day changes nothing.
    if (activity.countedBefore(d) === activity.countedBefore(d - 1)) continue;
    const rates = ratesAt(activity, d, rule);
    streak = rates !== null && rates.recent < rule.below_ratio * rates.baseline ? streak + 1 : 0;
    if (streak >= rule.enter_days) return d * DAY_MS;
  }
  return null;
}

/** When an open usage-drop episode ends by the rates (the map's exit_ratio); null: not yet, or
 * the episode is left on activity (no exit_ratio, or an inactivity episode). */
export function usageRecoveredAt(
  s: AccountState,
  days: readonly number[],
  now: number,
  map: JourneyMap,
): number | null {
  const rule = map.churn_risk.usage_drop;
  if (!rule || rule.exit_ratio === undefined || s.riskSince === null || s.riskSignal !== 'usage_drop')
    return null;
  const calendar = map.churn_risk.quiet_days;
  const entered = dayOf(s.riskSince);
  const last = dayOf(now);
  const activity = countedActivity(new Set(days), entered - 2 * rule.baseline_days - 60, last, calendar);
  // The baseline the drop was measured against: the rate before the episode began.
  const before = ratesAt(activity, entered, rule);
  if (before === null) return null;
  let streak = 0;
  for (let d = entered + 1; d <= last; d++) {
    if (activity.countedBefore(d) === activity.countedBefore(d - 1)) continue;
    const recent = activity.window(d, rule.recent_days);
    streak =
      recent !== null && recent / rule.recent_days >= rule.exit_ratio * before.baseline ? streak + 1 : 0;
    if (streak >= rule.exit_days) return d * DAY_MS;
  }
  return null;
}
