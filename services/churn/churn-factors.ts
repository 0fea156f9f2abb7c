// The churn factors: each maps ChurnSignals to a feature in [0, 1] where 0 = no sign of churn
// and 1 = the strongest sign the factor can show, and says in words what it saw. The logistic
// model (score-account.ts) weighs these features; the transforms are fixed so weights stay
// comparable across fits. docs/churn.md lists them with their defaults.

import type { ChurnSignals } from './churn-signals.ts';

export const CHURN_FACTORS = [
  'usage_decline',
  'people_decline',
  'inactivity',
  'seat_underuse',
  'ticket_volume',
  'urgent_tickets',
  'nps_detractor',
  'csat_dissatisfaction',
  'payment_failures',
  'downgrades',
  'mrr_contraction',
  'champion_inactive',
] as const;

export type ChurnFactor = (typeof CHURN_FACTORS)[number];

export type ChurnFeatures = Readonly<Record<ChurnFactor, number>>;

const DAY_MS = 86_400_000;

/** Saturation points of the linear ramps: at these values a factor reaches 1. */
export const FACTOR_SATURATION = {
  inactivityDays: 30,
  tickets: 10,
  urgentTickets: 3,
  failedPayments: 2,
  downgrades: 2,
  mrrDropPct: 50,
  championDays: 30,
} as const;

export const clamp01 = (x: number): number => (x <= 0 ? 0 : x >= 1 ? 1 : x);

/** Days that passed between `asOf` and `now` (never negative): the inactivity counters keep
 * growing on scheduled re-scores even when no event arrives. */
export const elapsedDays = (signals: ChurnSignals, now: number): number =>
  Math.max(0, (now - signals.asOf) / DAY_MS);

const inactiveDays = (days: number | null, elapsed: number): number | null =>
  days === null ? null : days + elapsed;

const S = FACTOR_SATURATION;

/** The documented transform of every factor. */
export function churnFeatures(signals: ChurnSignals, now: number): ChurnFeatures {
  const elapsed = elapsedDays(signals, now);
  const lastActive = inactiveDays(signals.daysSinceLastActivity, elapsed);
  const champion = inactiveDays(signals.championDaysInactive, elapsed);
  const f30 = signals.failedPayments30d;
  const f60 = Math.max(signals.failedPayments60d, f30);
  return {
    usage_decline: signals.usageTrendRatio === null ? 0 : clamp01(1 - signals.usageTrendRatio),
    people_decline: clamp01(1 - (signals.activeUsersTrend ?? 1)),
    inactivity: lastActive === null ? 1 : clamp01(lastActive / S.inactivityDays),
    seat_underuse: signals.paidSeats <= 0 ? 0 : clamp01(1 - signals.activeSeats / signals.paidSeats),
    ticket_volume: clamp01(signals.tickets30d / S.tickets),
    urgent_tickets: clamp01(signals.urgentTickets30d / S.urgentTickets),
    nps_detractor: signals.latestNps === null ? 0 : clamp01((9 - signals.latestNps) / 9),
    csat_dissatisfaction: signals.latestCsat === null ? 0 : clamp01((5 - signals.latestCsat) / 4),
    payment_failures: clamp01((f30 + 0.5 * (f60 - f30)) / S.failedPayments),
    downgrades: clamp01(signals.contractions90d / S.downgrades),
    mrr_contraction: clamp01(signals.mrrDropPct / S.mrrDropPct),
    champion_inactive: champion === null ? 0 : clamp01(champion / S.championDays),
  };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const pct = (x: number): number => Math.round(x * 100);

/** What the factor saw, in words and numbers, for the reasons of a score. */
export function describeFactor(factor: ChurnFactor, signals: ChurnSignals, now: number): string {
  const elapsed = elapsedDays(signals, now);
  switch (factor) {
    case 'usage_decline': {
      const ratio = signals.usageTrendRatio;
      if (ratio === null) return 'no usage baseline yet';
      return ratio <= 1
        ? `usage down ${pct(1 - ratio)}% vs 4-week baseline`
        : `usage up ${pct(ratio - 1)}% vs 4-week baseline`;
    }
    case 'people_decline': {
      const ratio = signals.activeUsersTrend ?? null;
      if (ratio === null) return 'no weekly-users baseline yet';
      return ratio <= 1
        ? `weekly active users down ${pct(1 - ratio)}% vs the 4 weeks before`
        : `weekly active users up ${pct(ratio - 1)}% vs the 4 weeks before`;
    }
    case 'inactivity': {
      const days = inactiveDays(signals.daysSinceLastActivity, elapsed);
      return days === null
        ? 'no user has ever been active'
        : `no activity for ${plural(Math.floor(days), 'day')}`;
    }
    case 'seat_underuse':
      return `${signals.activeSeats} of ${signals.paidSeats} paid seats active (${
        signals.paidSeats > 0 ? pct(signals.activeSeats / signals.paidSeats) : 0
      }%)`;
    case 'ticket_volume':
      return `${plural(signals.tickets30d, 'support ticket')} in 30 days`;
    case 'urgent_tickets':
      return `${plural(signals.urgentTickets30d, 'high/urgent ticket')} in 30 days`;
    case 'nps_detractor':
      return signals.latestNps === null ? 'no NPS answer' : `latest NPS ${signals.latestNps}/10`;
    case 'csat_dissatisfaction':
      return signals.latestCsat === null ? 'no CSAT answer' : `latest CSAT ${signals.latestCsat}/5`;
    case 'payment_failures':
      return signals.failedPayments30d > 0
        ? `${plural(signals.failedPayments30d, 'failed payment')} in 30 days`
        : `${plural(signals.failedPayments60d, 'failed payment')} in 60 days`;
    case 'downgrades':
      return `${plural(signals.contractions90d, 'downgrade')} in 90 days`;
    case 'mrr_contraction':
      return `MRR down ${Math.round(signals.mrrDropPct)}% vs 90 days ago`;
    case 'champion_inactive': {
      const days = inactiveDays(signals.championDaysInactive, elapsed);
      return days === null
        ? 'no champion identified'
        : `champion inactive for ${plural(Math.floor(days), 'day')}`;
    }
  }
}
