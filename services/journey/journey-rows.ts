// The journey stage's ClickHouse rows: stage transitions and signals (from effects), account
// snapshots, churn scores, alerts and outcomes. Timestamps as ISO strings (best_effort input).
import type { ChurnAlert } from '../churn/churn-alert-state.ts';
import type { ChurnOutcome } from '../churn/record-churn.ts';
import type { ChurnScore } from '../churn/score-account.ts';
import type { ChurnSignals } from '../churn/churn-signals.ts';
import { DAY_MS } from './account-state.ts';
import type { AccountState } from './account-state.ts';
import { activeSeats } from './account-views.ts';
import type { JourneyEffect } from './journey-effects.ts';

const iso = (t: number): string => new Date(t).toISOString();
const isoOrNull = (t: number | null): string | null => (t === null ? null : iso(t));

/** Monday of the week of `t`, as YYYY-MM-DD. */
export function cohortWeek(t: number): string {
  const day = Math.floor(t / DAY_MS);
  const monday = day - ((day + 3) % 7); // 1970-01-01 was a Thursday
  return iso(monday * DAY_MS).slice(0, 10);
}

function mapOfTimes(record: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, t]) => [k, iso(t)]));
}

export function effectRow(
  effect: JourneyEffect,
  state: AccountState | undefined,
): { table: string; row: object } {
  if (effect.kind === 'transition') {
    return {
      table: 'stage_transitions',
      row: {
        id: effect.id,
        account_key: effect.account_key,
        from_stage: effect.from_stage,
        to_stage: effect.to_stage,
        at: iso(effect.at),
        reason: effect.reason,
        map_version: effect.map_version,
        segment: state?.segment ?? '',
        plan: state?.plan ?? '',
        channel: state?.firstTouch?.channel ?? '',
        cohort_week: cohortWeek(state?.signupAt ?? state?.firstSeenAt ?? effect.at),
      },
    };
  }
  return {
    table: 'journey_signals',
    row: {
      id: effect.id,
      kind: effect.kind,
      account_key: effect.account_key,
      stage: effect.kind === 'stall' || effect.kind === 'at_risk' ? effect.stage : '',
      step: effect.kind === 'funnel_step' ? effect.step : '',
      step_index: effect.kind === 'funnel_step' ? effect.step_index : 0,
      at: iso(effect.at),
      map_version: effect.map_version,
    },
  };
}

export function accountStateRow(state: AccountState, version: number, asOf: number): object {
  return {
    account_key: state.key,
    kind: state.kind,
    version,
    stage: state.stage,
    stage_entered_at: iso(state.stageEnteredAt),
    stalled: state.stalledStage === state.stage ? 1 : 0,
    segment: state.segment,
    plan: state.plan ?? '',
    seats: state.seats,
    active_seats: activeSeats(state, asOf, 30),
    mrr_cents: state.mrrCents,
    first_touch_channel: state.firstTouch?.channel ?? '',
    first_touch_source: state.firstTouch?.source ?? '',
    last_touch_channel: state.lastTouchBeforeSignup?.channel ?? '',
    first_seen_at: iso(state.firstSeenAt),
    signup_at: isoOrNull(state.signupAt),
    activated_at: isoOrNull(state.activatedAt),
    last_activity_at: iso(state.lastActivityAt),
    churned_at: isoOrNull(state.churnedAt),
    cancel_reason: state.cancelReason ?? '',
    cohort_week: cohortWeek(state.signupAt ?? state.firstSeenAt),
    features: state.features,
    experiments: state.experiments,
    funnel_steps: mapOfTimes(state.funnel),
    stage_entries: mapOfTimes(state.stageEntries),
    nps: state.nps,
    csat: state.csat,
    tickets_30d: state.ticketTimes.filter((t) => t >= asOf - 30 * DAY_MS).length,
    churn_score: state.churn?.score ?? 0,
    churn_band: state.churn?.band ?? 'healthy',
    map_version: state.mapVersion,
  };
}

export const churnScoreRow = ({ score, signals }: { score: ChurnScore; signals: ChurnSignals }): object => ({
  account_key: score.account,
  scored_at: iso(score.scoredAt),
  score: score.score,
  band: score.band,
  mrr_cents: Math.round(score.mrr * 100),
  reasons: JSON.stringify(score.reasons),
  signals: JSON.stringify(signals),
});

export const churnAlertRow = (alert: ChurnAlert): object => ({
  alert_id: alert.alertId,
  account_key: alert.account,
  at: iso(alert.at),
  band: alert.band,
  previous_band: alert.previousBand,
  score: alert.score,
  mrr_cents: Math.round(alert.mrr * 100),
  reasons: JSON.stringify(alert.reasons),
  first_warning_at: iso(alert.firstWarningAt),
});

export const churnOutcomeRow = (outcome: ChurnOutcome, mrrCents: number): object => ({
  account_key: outcome.account,
  churned_at: iso(outcome.churnedAt),
  first_warning_at: isoOrNull(outcome.firstWarningAt),
  hours_from_first_warning: outcome.leadTimeMs === null ? null : outcome.leadTimeMs / 3_600_000,
  reason: outcome.reason ?? '',
  mrr_cents: mrrCents,
});
