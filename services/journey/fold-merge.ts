// Identity merges fold the absorbed person's (or a person's pre-account) state into the survivor.
// FACTS merge with the same orders the reducer uses — earliest firsts, latest lasts, unions of
// bounded sets, last-writer-wins by (time, value), sums of counters — so that part is
// commutative and associative. SETTLED fields (stage, emitted markers, churn alert state) stay the
// survivor's: effects are keyed by the survivor, and the next advanceTime announces whatever the
// merged facts add (e.g. the absorbed person had already signed up: a transition, from the
// survivor's stage, under the survivor's key).
import { accountMrrHistory, mergeSubscriptionMrr } from './account-mrr.ts';
import type { AccountState } from './account-state.ts';
import {
  MAX_BILLING_CHANGES,
  MAX_DAY_FIRSTS,
  MAX_EXPERIMENTS,
  MAX_FEATURES,
  MAX_MEMBERS,
  MAX_MRR_HISTORY,
  MAX_RECENT,
  MAX_TOUCHES,
  minOrNull,
} from './account-state.ts';
import { addKeyAction, activationTime } from './activation-window.ts';
import {
  addWeekActivity,
  insertDayFirst,
  insertNewest,
  insertSmallestStrings,
  putMaxKeepNewest,
} from './bounded-sets.ts';
import { betterChampion, touchOrder, touchesBeforeSignup, wins } from './fact-order.ts';
import type { JourneyMap } from './journey-map.ts';
import { segmentOf } from './segment-account.ts';

const unionNewest = (a: readonly number[], b: readonly number[], max: number): number[] =>
  b.reduce((list, t) => insertNewest(list, t, max), [...a]);

function minRecord<V>(
  a: Record<string, V>,
  b: Record<string, V>,
  less: (x: V, y: V) => boolean,
): Record<string, V> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) if (out[k] === undefined || less(v, out[k] as V)) out[k] = v;
  return out;
}

/** One last-writer-wins field of both states: [value, at] of the winner. */
function lww<T>(a: [T, number], b: [T, number]): [T, number] {
  return wins(b[1], b[0], a[1], a[0]) ? b : a;
}

function mergeActivation(s: AccountState, a: AccountState, b: AccountState, map: JourneyMap): void {
  s.activatedAt = minOrNull(a.activatedAt, b.activatedAt);
  // Once either side announced activation its time is known: key actions are no longer needed.
  if (a.emittedActivation || b.emittedActivation) {
    s.keyActions = [];
    return;
  }
  s.keyActions = b.keyActions.reduce((list, t) => addKeyAction(list, t, map.activation), [...a.keyActions]);
  s.activatedAt = minOrNull(s.activatedAt, activationTime(s.keyActions, map.activation));
}

function mergeBilling(s: AccountState, a: AccountState, b: AccountState): void {
  [s.plan, s.planAt] = lww([a.plan, a.planAt], [b.plan, b.planAt]);
  [s.seats, s.seatsAt] = lww([a.seats, a.seatsAt], [b.seats, b.seatsAt]);
  [s.cancelReason, s.cancelReasonAt] = lww(
    [a.cancelReason, a.cancelReasonAt],
    [b.cancelReason, b.cancelReasonAt],
  );
  [s.nps, s.npsAt] = lww([a.nps, a.npsAt], [b.nps, b.npsAt]);
  [s.csat, s.csatAt] = lww([a.csat, a.csatAt], [b.csat, b.csatAt]);
  s.subscriptionMrr = mergeSubscriptionMrr(a.subscriptionMrr, b.subscriptionMrr);
  s.mrrHistory = accountMrrHistory(s.subscriptionMrr, MAX_MRR_HISTORY);
  s.mrrCents = s.mrrHistory[s.mrrHistory.length - 1]?.[1] ?? 0;
  s.contractionTimes = unionNewest(a.contractionTimes, b.contractionTimes, MAX_RECENT);
  s.failedPaymentTimes = unionNewest(a.failedPaymentTimes, b.failedPaymentTimes, MAX_RECENT);
  s.failedPayments = a.failedPayments + b.failedPayments;
  s.ticketTimes = unionNewest(a.ticketTimes, b.ticketTimes, MAX_RECENT);
  s.urgentTicketTimes = unionNewest(a.urgentTicketTimes, b.urgentTicketTimes, MAX_RECENT);
  s.tickets = a.tickets + b.tickets;
}

function mergeTraitsAndExperiments(s: AccountState, a: AccountState, b: AccountState): void {
  s.traits = { ...a.traits };
  s.traitTimes = { ...a.traitTimes };
  for (const [k, v] of Object.entries(b.traits)) {
    const at = b.traitTimes[k] ?? 0;
    if (wins(at, v, s.traitTimes[k] ?? -Infinity, s.traits[k])) [s.traits[k], s.traitTimes[k]] = [v, at];
  }
  let at = a.experimentsAt;
  const variants = { ...a.experiments };
  for (const [id, t] of Object.entries(b.experimentsAt)) {
    if (!wins(t, b.experiments[id], at[id] ?? -Infinity, variants[id])) continue;
    variants[id] = b.experiments[id] as string;
    at = at[id] === t ? at : putMaxKeepNewest(at, id, t, MAX_EXPERIMENTS);
  }
  s.experimentsAt = at;
  s.experiments = Object.fromEntries(
    Object.keys(at)
      .sort()
      .map((id) => [id, variants[id] as string]),
  );
}

export function foldMerge(survivor: AccountState, absorbed: AccountState, map: JourneyMap): AccountState {
  const a = survivor;
  const b = absorbed;
  const s: AccountState = { ...a };
  s.conversions = minRecord(
    a.conversions,
    b.conversions,
    (x, y) => x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]),
  );
  s.entryMet = minRecord(a.entryMet, b.entryMet, (x, y) => x < y);
  s.churnTimes = unionNewest(a.churnTimes, b.churnTimes, MAX_BILLING_CHANGES);
  s.reactivationTimes = unionNewest(a.reactivationTimes, b.reactivationTimes, MAX_BILLING_CHANGES);
  s.firstSeenAt = Math.min(a.firstSeenAt, b.firstSeenAt);
  s.maxEventTime = Math.max(a.maxEventTime, b.maxEventTime);
  const active = [a, b].filter((x) => x.weeks.length > 0);
  s.lastActivityAt = active.length > 0 ? Math.max(...active.map((x) => x.lastActivityAt)) : s.firstSeenAt;
  s.weeks = b.weeks.reduce((weeks, [week, days, users]) => {
    let next = weeks;
    for (let wd = 0; wd < 7; wd++)
      if (days & (1 << wd)) next = addWeekActivity(next, week * 7 - 3 + wd, users);
    return next;
  }, a.weeks);
  s.dayFirsts = b.dayFirsts.reduce((list, t) => insertDayFirst(list, t, MAX_DAY_FIRSTS), a.dayFirsts);
  s.members = Object.entries(b.members).reduce(
    (m, [k, d]) => putMaxKeepNewest(m, k, d, MAX_MEMBERS),
    a.members,
  );
  s.features = b.features.reduce((list, f) => insertSmallestStrings(list, f, MAX_FEATURES), a.features);
  s.firstTouch = !a.firstTouch
    ? b.firstTouch
    : !b.firstTouch
      ? a.firstTouch
      : touchOrder(b.firstTouch, a.firstTouch) < 0
        ? b.firstTouch
        : a.firstTouch;
  s.signupAt = minOrNull(a.signupAt, b.signupAt);
  s.touches = touchesBeforeSignup(
    [...a.touches, ...b.touches],
    s.signupAt,
    s.maxEventTime,
    map.lateness_minutes * 60_000,
    MAX_TOUCHES,
  );
  s.lastTouchBeforeSignup = s.touches[s.touches.length - 1] ?? null;
  s.funnel = minRecord(a.funnel, b.funnel, (x, y) => x < y);
  mergeActivation(s, a, b, map);
  if (b.champion !== null && b.championSince !== null && betterChampion(b.champion, b.championSince, a))
    [s.champion, s.championSince] = [b.champion, b.championSince];
  mergeBilling(s, a, b);
  mergeTraitsAndExperiments(s, a, b);
  s.segment = segmentOf(map, s);
  s.churn = a.churn ?? b.churn;
  // Re-scores waiting on either side wait on in the merged account.
  s.rescoresDue = unionNewest(a.rescoresDue, b.rescoresDue, MAX_RECENT);
  return s;
}
