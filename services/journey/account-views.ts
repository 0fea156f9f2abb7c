// Read-only views computed from an account's journey state as of `now`: usage trend, active vs
// paid seats, weekly activity, time in stage, champion activity. For rows, churn signals and the
// CLI; none of them changes state.
import { DAY_MS, dayOf, weekOfDay } from './account-state.ts';
import type { AccountState } from './account-state.ts';
import { activeDaysOf, estimateUsers, memberKey, popcount } from './bounded-sets.ts';

export const timeInStageMs = (s: AccountState, now: number): number => Math.max(0, now - s.stageEnteredAt);

/** Active days in the last `days` whole days before `now`'s day (today counts too). */
export function activeDaysWithin(s: AccountState, now: number, days: number): number {
  const today = dayOf(now);
  return activeDaysOf(s.weeks).filter((d) => d > today - days && d <= today).length;
}

/**
 * Recent 7-day active-day rate / 28-day baseline rate. null until the account is 14 days old or
 * when the baseline has no activity (no baseline to compare with).
 */
export function usageTrend(s: AccountState, now: number): number | null {
  if (now - s.firstSeenAt < 14 * DAY_MS) return null;
  const baseline = activeDaysWithin(s, now, 28) / 28;
  return baseline > 0 ? activeDaysWithin(s, now, 7) / 7 / baseline : null;
}

/**
 * Weekly active persons over the last `recent` completed weeks / their mean over the `baseline`
 * completed weeks before those: the trend of how many people use the product, where usageTrend
 * follows on which days anyone does (a team of twenty keeps every weekday active while half of it
 * leaves). null until the account has that much history, or when the baseline weeks had nobody.
 */
export function activeUsersTrend(s: AccountState, now: number, recent = 2, baseline = 4): number | null {
  const current = weekOfDay(dayOf(now));
  const firstWeek = weekOfDay(dayOf(s.firstSeenAt));
  if (firstWeek > current - recent - baseline) return null;
  const users = new Map(s.weeks.map(([week, , bits]) => [week, estimateUsers(bits)]));
  const mean = (from: number, weeks: number): number => {
    let sum = 0;
    for (let w = from; w > from - weeks; w--) sum += users.get(w) ?? 0;
    return sum / weeks;
  };
  const base = mean(current - recent - 1, baseline);
  return base > 0 ? mean(current - 1, recent) / base : null;
}

/** Distinct persons active in the last `days` days (seat use). A person whose last activity is
 *  after `now` (read ahead of it, in a backlog, from a source that is ahead) counts: only their last
 *  active day is kept, and leaving them out would call a seat used every day unused. */
export function activeSeats(s: AccountState, now: number, days = 28): number {
  const today = dayOf(now);
  return Object.values(s.members).filter((d) => d > today - days).length;
}

export interface WeekSummary {
  /** Monday of the week, YYYY-MM-DD. */
  week: string;
  activeDays: number;
  /** Distinct active persons (linear-counting estimate, exact for a handful). */
  activeUsers: number;
}

export function weeklyActivity(s: AccountState): WeekSummary[] {
  return s.weeks.map(([week, days, users]) => ({
    week: new Date((week * 7 - 3) * DAY_MS).toISOString().slice(0, 10),
    activeDays: popcount(days),
    activeUsers: estimateUsers(users),
  }));
}

/** The champion's last active epoch day, or null (unknown champion, or not among the members kept). */
export function championLastActiveDay(s: AccountState): number | null {
  return s.champion === null ? null : (s.members[memberKey(s.champion)] ?? null);
}
