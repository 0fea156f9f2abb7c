// Rows of stage_transitions, journey_signals and account_state, from the journey reducer's
// effects and per-account state.
import type { AccountState } from '../../journey/account-state.ts';
import type { JourneyEffect } from '../../journey/journey-effects.ts';
import { isoTime, isoTimeOrNull, mondayOf } from './row-time.ts';

const DAY_MS = 86_400_000;

/** stage_transitions: one row per stage change, with the account's dimensions at that time. */
export interface StageTransitionRow {
  id: string;
  account_key: string;
  from_stage: string;
  to_stage: string;
  at: string;
  reason: string;
  map_version: number;
  segment: string;
  plan: string;
  channel: string;
  cohort_week: string;
}

/** journey_signals: stalls, activations and onboarding funnel steps. */
export interface JourneySignalRow {
  id: string;
  kind: 'stall' | 'activation' | 'funnel_step' | 'at_risk';
  account_key: string;
  stage: string;
  step: string;
  step_index: number;
  at: string;
  map_version: number;
}

/** account_state: a versioned snapshot (ReplacingMergeTree(version): the highest version wins). */
export interface AccountStateRow {
  account_key: string;
  /** 1 on the row that retires a key (folded into a survivor, or deleted). */
  deleted: 0 | 1;
  kind: 'account' | 'person';
  version: number;
  stage: string;
  stage_entered_at: string;
  stalled: 0 | 1;
  segment: string;
  plan: string;
  seats: number | null;
  active_seats: number;
  mrr_cents: number;
  first_touch_channel: string;
  first_touch_source: string;
  last_touch_channel: string;
  first_seen_at: string;
  signup_at: string | null;
  activated_at: string | null;
  last_activity_at: string;
  churned_at: string | null;
  cancel_reason: string;
  cohort_week: string;
  features: string[];
  experiments: Record<string, string>;
  funnel_steps: Record<string, string>;
  stage_entries: Record<string, string>;
  nps: number | null;
  csat: number | null;
  tickets_30d: number;
  churn_score: number;
  churn_band: string;
  map_version: number;
}

type TransitionEffect = Extract<JourneyEffect, { kind: 'transition' }>;
type SignalEffect = Exclude<JourneyEffect, { kind: 'transition' }>;

/** The account's cohort: the week it signed up, or first appeared. */
export const cohortWeekOf = (state: AccountState): string => mondayOf(state.signupAt ?? state.firstSeenAt);

export function stageTransitionRow(
  effect: TransitionEffect,
  state: AccountState | undefined,
): StageTransitionRow {
  return {
    id: effect.id,
    account_key: effect.account_key,
    from_stage: effect.from_stage,
    to_stage: effect.to_stage,
    at: isoTime(effect.at),
    reason: effect.reason,
    map_version: effect.map_version,
    segment: state?.segment ?? '',
    plan: state?.plan ?? '',
    channel: state?.firstTouch?.channel ?? '',
    cohort_week: state ? cohortWeekOf(state) : mondayOf(effect.at),
  };
}

export function journeySignalRow(effect: SignalEffect): JourneySignalRow {
  return {
    id: effect.id,
    kind: effect.kind,
    account_key: effect.account_key,
    stage: effect.kind === 'stall' || effect.kind === 'at_risk' ? effect.stage : '',
    step: effect.kind === 'funnel_step' ? effect.step : '',
    step_index: effect.kind === 'funnel_step' ? effect.step_index : 0,
    at: isoTime(effect.at),
    map_version: effect.map_version,
  };
}

const timesOf = (record: Record<string, number>): Record<string, string> =>
  Object.fromEntries(Object.entries(record).map(([k, t]) => [k, isoTime(t)]));

/** The snapshot of `state` as of `asOf` (seats active and tickets in the 30 days before it). */
/** Marks a key's snapshots deleted (its state was folded into a survivor, or deleted): the newest
 * version wins under FINAL, and account_state_latest leaves deleted keys out. */
export const accountStateDeletedRow = (
  key: string,
  version: number,
): Pick<AccountStateRow, 'account_key' | 'version' | 'deleted'> => ({
  account_key: key,
  version,
  deleted: 1,
});

export function accountStateRow(state: AccountState, version: number, asOf: number): AccountStateRow {
  const today = Math.floor(asOf / DAY_MS);
  return {
    account_key: state.key,
    deleted: 0,
    kind: state.kind,
    version,
    stage: state.stage,
    stage_entered_at: isoTime(state.stageEnteredAt),
    stalled: state.stalledStage === state.stage ? 1 : 0,
    segment: state.segment,
    plan: state.plan ?? '',
    seats: state.seats,
    active_seats: Object.values(state.members).filter((day) => day > today - 30).length,
    mrr_cents: state.mrrCents,
    first_touch_channel: state.firstTouch?.channel ?? '',
    first_touch_source: state.firstTouch?.source ?? '',
    last_touch_channel: state.lastTouchBeforeSignup?.channel ?? '',
    first_seen_at: isoTime(state.firstSeenAt),
    signup_at: isoTimeOrNull(state.signupAt),
    activated_at: isoTimeOrNull(state.activatedAt),
    last_activity_at: isoTime(state.lastActivityAt),
    churned_at: isoTimeOrNull(state.churnedAt),
    cancel_reason: state.cancelReason ?? '',
    cohort_week: cohortWeekOf(state),
    features: state.features,
    experiments: state.experiments,
    funnel_steps: timesOf(state.funnel),
    stage_entries: timesOf(state.stageEntries),
    nps: state.nps,
    csat: state.csat,
    tickets_30d: state.ticketTimes.filter((t) => t >= asOf - 30 * DAY_MS).length,
    churn_score: state.churn?.score ?? 0,
    churn_band: state.churn?.band ?? 'healthy',
    map_version: state.mapVersion,
  };
}
