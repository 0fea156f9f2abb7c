// Naive single-signal churn rankings, the bar the model has to clear: each ranks accounts by one
// number a team could alert on without any model (higher = more likely to churn). They read the
// same signal snapshots as the model, at the same time, so their AUC is comparable side by side.
import { elapsedDays } from './churn-factors.ts';
import type { ChurnSignals } from './churn-signals.ts';

export const CHURN_BASELINES = {
  /** The drop of recent activity against its baseline (1 - trend ratio). */
  usage_trend: (s: ChurnSignals) => (s.usageTrendRatio === null ? 0 : 1 - s.usageTrendRatio),
  /** The drop of weekly active users against the 4 weeks before (1 - trend ratio). */
  people_trend: (s: ChurnSignals) => 1 - (s.activeUsersTrend ?? 1),
  /** Days since anyone at the account was active. */
  inactivity: (s: ChurnSignals, at: number) =>
    s.daysSinceLastActivity === null ? 1e6 : s.daysSinceLastActivity + elapsedDays(s, at),
  /** Share of paid seats unused in 30 days. */
  seats: (s: ChurnSignals) => (s.paidSeats > 0 ? 1 - s.activeSeats / s.paidSeats : 0),
  /** Support tickets in 30 days. */
  tickets: (s: ChurnSignals) => s.tickets30d,
  /** Failed payments (60 days, the last 30 counted double). */
  payment_failures: (s: ChurnSignals) => s.failedPayments30d + s.failedPayments60d,
  /** How far the latest NPS answer is below 10 (no answer = a passive 7.5). */
  nps: (s: ChurnSignals) => 10 - (s.latestNps ?? 7.5),
  /** Days the champion has been inactive (none known = 0). */
  champion: (s: ChurnSignals, at: number) =>
    s.championDaysInactive === null ? 0 : s.championDaysInactive + elapsedDays(s, at),
} as const satisfies Record<string, (signals: ChurnSignals, at: number) => number>;

export type ChurnBaseline = keyof typeof CHURN_BASELINES;
export const CHURN_BASELINE_NAMES = Object.keys(CHURN_BASELINES) as ChurnBaseline[];
