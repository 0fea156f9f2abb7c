// Rows of churn_scores (history), churn_alerts and churn_outcomes. Money as integer cents;
// reasons as a JSON array of the score's explained factors.
import type { ChurnAlert } from '../../churn/churn-alert-state.ts';
import type { ChurnOutcome } from '../../churn/record-churn.ts';
import type { ChurnScore } from '../../churn/score-account.ts';
import type { ChurnSignals } from '../../churn/churn-signals.ts';
import { isoTime, isoTimeOrNull } from './row-time.ts';

export interface ChurnScoreRow {
  account_key: string;
  scored_at: string;
  score: number;
  band: string;
  mrr_cents: number;
  reasons: string;
  /** The ChurnSignals the score was computed from (JSON), for `journey churn fit`. */
  signals: string;
}

export interface ChurnAlertRow {
  alert_id: string;
  account_key: string;
  at: string;
  band: string;
  previous_band: string;
  score: number;
  mrr_cents: number;
  reasons: string;
  first_warning_at: string;
}

export interface ChurnOutcomeRow {
  account_key: string;
  churned_at: string;
  first_warning_at: string | null;
  hours_from_first_warning: number | null;
  reason: string;
  mrr_cents: number;
}

const cents = (amount: number): number => Math.round(amount * 100);

export const churnScoreRow = ({
  score,
  signals,
}: {
  score: ChurnScore;
  signals: ChurnSignals;
}): ChurnScoreRow => ({
  account_key: score.account,
  scored_at: isoTime(score.scoredAt),
  score: score.score,
  band: score.band,
  mrr_cents: cents(score.mrr),
  reasons: JSON.stringify(score.reasons),
  signals: JSON.stringify(signals),
});

export const churnAlertRow = (alert: ChurnAlert): ChurnAlertRow => ({
  alert_id: alert.alertId,
  account_key: alert.account,
  at: isoTime(alert.at),
  band: alert.band,
  previous_band: alert.previousBand,
  score: alert.score,
  mrr_cents: cents(alert.mrr),
  reasons: JSON.stringify(alert.reasons),
  first_warning_at: isoTime(alert.firstWarningAt),
});

/** `mrrCents`: the MRR the account bore before it churned (the outcome itself carries none). */
export const churnOutcomeRow = (outcome: ChurnOutcome, mrrCents: number): ChurnOutcomeRow => ({
  account_key: outcome.account,
  churned_at: isoTime(outcome.churnedAt),
  first_warning_at: isoTimeOrNull(outcome.firstWarningAt),
  hours_from_first_warning: outcome.leadTimeMs === null ? null : outcome.leadTimeMs / 3_600_000,
  reason: outcome.reason ?? '',
  mrr_cents: mrrCents,
});
