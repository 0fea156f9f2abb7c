// Step: an account's churn re-score, and when it happens. A billing, ticket or survey event
// re-scores its account as of its event time (product activity waits for the sweep:
// sweep-timers-step.ts) — but only once every input has reached that time. The sources are separate
// topics: a backlog, a replay, an import or simply one fetch that brings every source's messages at
// once can put a failed payment on the canonical topic before the same days' logins. Scored on
// arrival, the account would look silent and its alert would name the wrong reasons (and a
// different arrival order would name others). So when the raw partitions' progress
// (input-watermarks.ts, without the lateness) is behind the event, the re-score waits in the state
// (`rescoresDue`) and runs at the marker that brings the inputs there: in real time within the
// ingest's next round, in a backlog when the other sources catch up. A canonical stream without
// markers keeps the old rule: at once.
import { accountMrrAt } from './account-mrr.ts';
import { scoreAccount } from '../churn/score-account.ts';
import { updateAlertState } from '../churn/churn-alert-state.ts';
import { DAY_MS, MAX_RECENT } from './account-state.ts';
import { insertNewest } from './bounded-sets.ts';
import type { AccountState } from './account-state.ts';
import { putState } from './account-store.ts';
import type { AccountStore } from './account-store.ts';
import type { JourneyContext, JourneyStepOutput } from './apply-journey-step.ts';
import { churnSignalsOf } from './churn-signals-of-account.ts';
import type { JourneyMap } from './journey-map.ts';
import { inputWatermark, markersSeen } from './input-watermarks.ts';

/** Whether the account has a churn score: every account past the first stage (a prospect), and
 * one bearing MRR wherever the map put it (a customer the map has no evidence rule for). */
export function isScored(state: AccountState, at: number, map: JourneyMap): boolean {
  if (state.kind !== 'account') return false;
  if (state.stage === map.stages.find((st) => st.signal === 'billing_churn')?.id) return false;
  return state.stage !== map.stages[0]?.id || accountMrrAt(state.subscriptionMrr, at) > 0;
}

/** Re-scores the account at `at` and folds the score into its alert state. */
export function rescore(
  state: AccountState,
  at: number,
  ctx: JourneyContext,
  out: JourneyStepOutput,
): AccountState {
  // An older re-score than the last one folded (a late event) changes nothing: no row either.
  if (state.churn && at < state.churn.scoredAt) return state;
  const signals = churnSignalsOf(state, at);
  const score = scoreAccount(signals, ctx.churn, at);
  const previous = state.churn ?? null;
  const update = updateAlertState(state.churn, score, at, ctx.churn);
  // A snapshot row when the score moved by a point or changed band, and the first score of every
  // UTC day regardless: ClickHouse then holds a daily series per account, so `churn fit` can read
  // any account's signals as of any day (a day old at most).
  const snapshot =
    previous === null ||
    Math.abs(previous.score - score.score) >= 1 ||
    update.state.band !== previous.band ||
    Math.floor(at / DAY_MS) !== Math.floor(previous.scoredAt / DAY_MS);
  // Nothing to record (same band, no alert, under a point from the last snapshot, same day): the
  // state stays as it is — the kept score is the last snapshot's, and the sweep writes nothing.
  if (!snapshot && update.alert === null) return state;
  if (snapshot) out.scores.push({ score, signals });
  if (update.alert) out.alerts.push(update.alert);
  return { ...state, churn: update.state };
}

/** How far every input has arrived in event time (the input watermark without the lateness):
 *  Infinity for a canonical stream without markers (what was read is all there is), -Infinity
 *  while some input cannot say yet. */
export function inputProgress(store: AccountStore): number {
  if (!markersSeen(store.inputs)) return Infinity;
  return inputWatermark(store.inputs, store.inputPartitions, 0) ?? -Infinity;
}

/** An event's re-score at `at`: now when the inputs reached it (`progress`) and the account is
 *  scored, else it waits — whether the account is scored is decided when it is due, on the facts
 *  up to then (an urgent ticket read before the subscription that makes the account a customer). */
export function rescoreOrWait(
  state: AccountState,
  at: number,
  progress: number,
  ctx: JourneyContext,
  out: JourneyStepOutput,
): AccountState {
  if (at > progress) return { ...state, rescoresDue: insertNewest(state.rescoresDue, at, MAX_RECENT) };
  if (!isScored(state, at, ctx.map)) return state;
  return rescore(state, Math.max(at, state.churn?.scoredAt ?? 0), ctx, out);
}

/** The key's waiting re-scores the inputs reached, each as of its own event's time, oldest first,
 *  on every fact read by now (those up to that time are all there; the signals count none after
 *  it: churn-signals-of-account.ts). So the account crosses a band at the same event, and its alert
 *  names the same reasons, however the events were batched or the sources interleaved. */
export function rescoreIfDue(
  store: AccountStore,
  key: string,
  progress: number,
  ctx: JourneyContext,
  out: JourneyStepOutput,
): void {
  const state = store.states.get(key);
  if (!state || !(state.rescoresDue[0]! <= progress)) return;
  let next: AccountState = { ...state, rescoresDue: state.rescoresDue.filter((t) => t > progress) };
  for (const at of state.rescoresDue) {
    if (at > progress) break;
    // Still scored at that time (a cancellation read meanwhile may have churned it).
    if (isScored(next, at, ctx.map)) next = rescore(next, Math.max(at, next.churn?.scoredAt ?? 0), ctx, out);
  }
  putState(store, next);
}

/** At a marker: every waiting re-score the inputs have reached, in key order (the same outputs
 *  however the states were restored). `skip`: keys whose turn comes later (a keyed partition's
 *  keys waiting for a handover, keyed-partition.ts). */
export function rescoresDue(
  store: AccountStore,
  progress: number,
  ctx: JourneyContext,
  out: JourneyStepOutput,
  skip?: (key: string) => boolean,
): void {
  if (store.rescoresWaiting.size === 0 || progress < store.rescoresEarliest) return;
  // A source far behind can keep many accounts waiting while its markers come by the hundred:
  // each look also sets the earliest time still waiting, so the next markers short of it are free.
  const due: string[] = [];
  let earliest = Infinity;
  for (const key of store.rescoresWaiting) {
    const first = store.states.get(key)?.rescoresDue[0] ?? Infinity;
    if (first <= progress && !skip?.(key)) due.push(key);
    else earliest = Math.min(earliest, first);
  }
  store.rescoresEarliest = earliest;
  for (const key of due.sort()) rescoreIfDue(store, key, progress, ctx, out);
}
