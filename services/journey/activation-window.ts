// Activation: the key action `times` times — or on `times` distinct days — within a sliding window
// of `within_days` days ("logged in on 3 separate days within a 7-day window"). The activation
// time is the earliest moment a window completes, whatever order the key actions arrived in.
import { DAY_MS, dayOf } from './account-state.ts';
import { insertDayFirst, insertNewest } from './bounded-sets.ts';
import type { JourneyMap } from './journey-map.ts';

type Activation = JourneyMap['activation'];

/** The earliest completion of a window among sorted key-action times, or null. */
export function activationTime(times: readonly number[], rule: Activation): number | null {
  const needed = rule.times;
  for (let i = 0; i + needed - 1 < times.length; i++) {
    const first = times[i]!;
    const last = times[i + needed - 1]!;
    const inWindow = rule.distinct_days
      ? dayOf(last) - dayOf(first) <= rule.within_days - 1
      : last - first < rule.within_days * DAY_MS;
    if (inWindow) return last;
  }
  return null;
}

/**
 * Adds a key action and drops those that can no longer complete a window: older than the newest
 * minus the window and one day (a late event is at most the lateness, under a day, behind).
 * Filtering relative to the maximum keeps this order-insensitive.
 */
export function addKeyAction(times: readonly number[], t: number, rule: Activation): number[] {
  const cap = rule.times * 4 + 8;
  const next = rule.distinct_days ? insertDayFirst(times, t, cap) : insertNewest(times, t, cap);
  const newest = next[next.length - 1]!;
  // Distinct days keep each day's earliest time: measure the horizon in days, not from that time.
  const keep = rule.distinct_days
    ? (x: number) => dayOf(x) >= dayOf(newest) - rule.within_days - 1
    : (x: number) => x >= newest - (rule.within_days + 1) * DAY_MS;
  return keep(next[0]!) ? next : next.filter(keep);
}
