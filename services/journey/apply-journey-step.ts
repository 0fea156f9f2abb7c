// Step: one resolved event -> the account's journey state, stage effects and churn re-score.
// Identity merges announced with the event fold the absorbed person's state into the survivor
// first; a person's pre-account state folds into the account the first time an event names it.
import { churnsAccount } from './account-mrr.ts';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { IdentityEffect } from '../identity/identity-core.ts';
import { recordChurn } from '../churn/record-churn.ts';
import type { ChurnOutcome } from '../churn/record-churn.ts';
import type { ChurnScore } from '../churn/score-account.ts';
import type { ChurnAlert } from '../churn/churn-alert-state.ts';
import type { ChurnConfig } from '../churn/churn-config.ts';
import type { ChurnSignals } from '../churn/churn-signals.ts';
import type { AccountState } from './account-state.ts';
import { deleteState, putState } from './account-store.ts';
import type { AccountStore } from './account-store.ts';
import { foldMerge } from './fold-merge.ts';
import type { JourneyEffect } from './journey-effects.ts';
import type { JourneyMap } from './journey-map.ts';
import { matchesAny, EventView } from './match-condition.ts';
import { journeyKeyOf, reduceJourney } from './reduce-journey.ts';
import { markersSeen } from './input-watermarks.ts';
import { inputProgress, isScored, rescoreOrWait } from './rescore-account.ts';

export interface JourneyContext {
  map: JourneyMap;
  churn: ChurnConfig;
}

export interface JourneyStepOutput {
  effects: JourneyEffect[];
  scores: Array<{ score: ChurnScore; signals: ChurnSignals }>;
  alerts: ChurnAlert[];
  outcomes: ChurnOutcome[];
}

export const emptyStepOutput = (): JourneyStepOutput => ({
  effects: [],
  scores: [],
  alerts: [],
  outcomes: [],
});

function fold(
  store: AccountStore,
  fromKey: string,
  intoKey: string,
  intoKind: AccountState['kind'],
  map: JourneyMap,
): void {
  const from = store.states.get(fromKey);
  if (!from || fromKey === intoKey) return;
  foldInto(store, from, intoKey, intoKind, map);
  deleteState(store, fromKey);
}

/** Folds `from` (a person's state, taken from wherever it lived) into the state under `intoKey`,
 *  or puts it there under that key when there is none yet. */
export function foldInto(
  store: AccountStore,
  from: AccountState,
  intoKey: string,
  intoKind: AccountState['kind'],
  map: JourneyMap,
): void {
  const into = store.states.get(intoKey);
  putState(store, into ? foldMerge(into, from, map) : { ...from, key: intoKey, kind: intoKind });
}

export function applyJourneyStep(
  store: AccountStore,
  event: JourneyEvent,
  identityEffects: readonly IdentityEffect[],
  ctx: JourneyContext,
  out: JourneyStepOutput,
): void {
  foldIdentityStep(store, event, identityEffects, ctx);
  // The watermark this event brings (the shell stores the same value after this step) — unless the
  // input carries the raw partitions' progress (input-watermarks.ts): then only that moves time,
  // and an event ahead of the others announces nothing for its account before they catch up.
  const now = markersSeen(store.inputs)
    ? store.watermark
    : Math.max(store.watermark, event.event_time - ctx.map.lateness_minutes * 60_000);
  applyEventStep(store, event, now, () => inputProgress(store), ctx, out);
}

/** The folds an event's resolution brings: a merged person's state into the survivor's, and a
 *  person's pre-account state into the account the event names. */
export function foldIdentityStep(
  store: AccountStore,
  event: JourneyEvent,
  identityEffects: readonly IdentityEffect[],
  ctx: JourneyContext,
): void {
  for (const effect of identityEffects) {
    if (effect.kind === 'merge')
      fold(store, effect.absorbed_person_id, effect.survivor_person_id, 'person', ctx.map);
  }
  const person = event.person_id;
  if (event.account_id && person) fold(store, person, event.account_id, 'account', ctx.map);
}

/** Product activity that makes a customer of an account never scored (none waiting already). */
const firstScore = (state: AccountState, at: number, ctx: JourneyContext): boolean =>
  !state.churn && state.rescoresDue.length === 0 && isScored(state, at, ctx.map);

/** The event into its key's state at the watermark `now`: facts, stage effects, churn outcome or
 *  re-score (now, or waiting until the inputs' `progress` reaches the event: rescore-account.ts;
 *  asked only for an event that re-scores, not on every event's path).
 *  No identity fold (foldIdentityStep, or a handover in the partitioned journey). */
export function applyEventStep(
  store: AccountStore,
  event: JourneyEvent,
  now: number,
  progress: () => number,
  ctx: JourneyContext,
  out: JourneyStepOutput,
): void {
  const { key, kind } = journeyKeyOf(event);
  const reduced = reduceJourney(store.states.get(key), event, now, ctx.map);
  out.effects.push(...reduced.effects);
  let state = reduced.state;
  if (kind === 'account') {
    if (
      matchesAny(ctx.map.churned.entry, new EventView(event)) &&
      churnsAccount(state.subscriptionMrr, event.event_time)
    ) {
      out.outcomes.push(
        recordChurn(state.churn, {
          account: key,
          at: event.event_time,
          reason: event.cancel_reason ?? state.cancelReason,
          reasonCode: null,
        }),
      );
    } else if (event.source !== 'behavior' || firstScore(state, event.event_time, ctx)) {
      // Billing, tickets and surveys re-score at once (a failed payment, an urgent ticket), once
      // every input has reached the event (rescore-account.ts); product activity only gives an
      // account its first score. Product activity changes the score by the day: the interval sweep
      // re-scores accounts with new facts (JOURNEY_SWEEP_MINUTES of event time), not every event —
      // scoring every event of every customer was most of the journey's work once an existing
      // customer base is scored.
      state = rescoreOrWait(state, event.event_time, progress(), ctx, out);
    }
  }
  putState(store, state);
}
