// Advancing time: announce, in time order, everything the facts say happened up to the watermark
// `now` (max event time - lateness, or a wall-clock tick) — stage transitions, stalls, risk
// signals, funnel steps, activation. Nothing later than `now` is announced, so an event within
// the lateness can still reorder it; once announced it is final (the SETTLED state fields).
// Timers fire at times computed from the state (stage entry + stall days, the midnight after N
// inactive days, ...), never from when the tick came: replaying, or advancing time more or less
// often, gives the same effects with the same ids.
// Stages never move backwards: ordinary stages only move forward in the map's order; the signal
// stages (churn-risk, churned) are left back to the furthest ordinary stage reached; no entry
// time precedes the current stage's entry.
import { accountMrrAt, churnsAccount, hasMrrData, reactivatesAccount } from './account-mrr.ts';
import { DAY_MS, dayOf } from './account-state.ts';
import type { AccountState } from './account-state.ts';
import { activeDaysOf } from './bounded-sets.ts';
import { effectId } from './journey-effects.ts';
import type { JourneyEffect } from './journey-effects.ts';
import { ordinaryStages, signalStage, stageIndex } from './journey-map.ts';
import type { JourneyMap } from './journey-map.ts';
import { inactivityFiresAt, usageDropFiresAt, usageRecoveredAt } from './risk-signals.ts';
import { settleMarkers } from './settle-markers.ts';
import { ordinaryChain, riskExitTime } from './stage-timeline.ts';
import type { StagePoint } from './stage-timeline.ts';

export interface Reduced {
  state: AccountState;
  effects: JourneyEffect[];
}

/** What happens next: the earliest candidate wins; ties in this order of kinds. */
type Next =
  | { kind: 'stall'; at: number }
  | {
      kind: 'move';
      at: number;
      to: StagePoint;
      churnedAt: number | null;
      riskExitAt?: number;
      reactivatedAt?: number;
    }
  | { kind: 'risk'; at: number; signal: 'inactivity' | 'usage_drop' };

/** Where a signal stage returns to at `at`: the furthest ordinary stage reached by then, and never
 * behind one already announced (a too-late event cannot pull it back). */
function returnPoint(s: AccountState, chain: readonly StagePoint[], at: number, map: JourneyMap): StagePoint {
  const reached = chain.filter((p) => p.at <= at).pop() ?? chain[0]!;
  const announced = ordinaryStages(map)
    .filter((st) => st.id in s.stageEntries)
    .pop();
  const behind = announced && stageIndex(map, announced.id) > stageIndex(map, reached.stage);
  return behind ? { stage: announced.id, at, reason: reached.reason } : reached;
}

/** The first ordinary stage an account can go at risk from (churn_risk.from_stage; default the
 * second: a prospect is never at risk). */
function riskFromIndex(map: JourneyMap): number {
  const from = map.churn_risk.from_stage;
  return from === undefined
    ? 1
    : Math.max(
        1,
        ordinaryStages(map).findIndex((st) => st.id === from),
      );
}

function candidates(s: AccountState, now: number, map: JourneyMap): Next[] {
  const out: Next[] = [];
  const churned = signalStage(map, 'billing_churn').id;
  const atRisk = signalStage(map, 'inactivity').id;
  const chain = ordinaryChain(s, map);
  const stage = map.stages[stageIndex(map, s.stage)];
  if (stage?.stall_days !== undefined && s.stalledStage !== s.stage)
    out.push({ kind: 'stall', at: s.stageEnteredAt + stage.stall_days * DAY_MS });

  if (s.stage === churned) {
    const r = s.reactivationTimes.find(
      (t) => t > (s.churnedAt ?? -Infinity) && reactivatesAccount(s.subscriptionMrr, t),
    );
    if (r !== undefined)
      out.push({
        kind: 'move',
        at: r,
        to: { ...returnPoint(s, chain, r, map), at: r, reason: 'reactivated' },
        churnedAt: null,
        reactivatedAt: r,
      });
    return out;
  }
  // The map names the events; the account's MRR decides (account-mrr.ts): ending one subscription
  // of several is no churn, starting a trial is no reactivation.
  const c = s.churnTimes.find(
    (t) => t > (s.reactivatedAt ?? -Infinity) && churnsAccount(s.subscriptionMrr, t),
  );
  if (c !== undefined)
    out.push({ kind: 'move', at: c, to: { stage: churned, at: c, reason: 'billing_churn' }, churnedAt: c });
  if (s.stage === atRisk) {
    // A usage drop with an exit_ratio is left when the usage is back (risk-signals.ts), else on
    // renewed activity.
    const byRates = s.riskSignal === 'usage_drop' && map.churn_risk.usage_drop?.exit_ratio !== undefined;
    const days = activeDaysOf(s.weeks).filter((d) => d < dayOf(now));
    const exit = byRates ? usageRecoveredAt(s, days, now, map) : riskExitTime(s, map);
    if (exit !== null)
      out.push({
        kind: 'move',
        at: exit,
        to: {
          ...returnPoint(s, chain, exit, map),
          at: exit,
          reason: byRates ? 'usage_recovered' : 'activity_resumed',
        },
        churnedAt: null,
        riskExitAt: exit,
      });
    return out;
  }
  const index = chain.findIndex((p) => p.stage === s.stage);
  const next = index >= 0 ? chain[index + 1] : undefined;
  if (next) out.push({ kind: 'move', at: next.at, to: next, churnedAt: null });
  if (index < 0 && !stage)
    out.push({ kind: 'move', at: s.stageEnteredAt, to: returnPoint(s, chain, now, map), churnedAt: null });
  if (ordinaryStages(map).findIndex((st) => st.id === s.stage) >= riskFromIndex(map)) {
    const refDay = dayOf(Math.max(s.stageEnteredAt, s.lastRiskExitAt ?? -Infinity));
    const days = activeDaysOf(s.weeks).filter((d) => d < dayOf(now));
    const inactive = inactivityFiresAt(s, refDay, days, map);
    const drop = usageDropFiresAt(s, refDay, days, now, map);
    const risk: Next =
      drop !== null && drop < inactive
        ? { kind: 'risk', at: drop, signal: 'usage_drop' }
        : { kind: 'risk', at: inactive, signal: 'inactivity' };
    if (
      !map.churn_risk.customers_only ||
      !hasMrrData(s.subscriptionMrr) ||
      accountMrrAt(s.subscriptionMrr, risk.at) > 0
    )
      out.push(risk);
  }
  return out;
}

function apply(prev: AccountState, next: Next, map: JourneyMap, effects: JourneyEffect[]): AccountState {
  const s = prev;
  if (next.kind === 'stall') {
    effects.push({
      kind: 'stall',
      id: effectId(s.key, 'stall', s.stage, next.at),
      account_key: s.key,
      stage: s.stage,
      stalled_days: map.stages[stageIndex(map, s.stage)]?.stall_days ?? 0,
      at: next.at,
      map_version: s.mapVersion,
    });
    return { ...s, stalledStage: s.stage };
  }
  if (next.kind === 'risk') {
    effects.push({
      kind: 'at_risk',
      id: effectId(s.key, 'at_risk', s.stage, next.at),
      account_key: s.key,
      stage: s.stage,
      signal: next.signal,
      at: next.at,
      map_version: s.mapVersion,
    });
    const to = { stage: signalStage(map, 'inactivity').id, at: next.at, reason: next.signal };
    return moveTo({ ...s, riskSince: next.at, riskSignal: next.signal }, to, null, effects);
  }
  const leavingRisk = s.riskSince !== null;
  const moved = moveTo(
    next.reactivatedAt === undefined ? s : { ...s, reactivatedAt: next.reactivatedAt },
    next.to,
    next.churnedAt,
    effects,
  );
  return leavingRisk
    ? { ...moved, riskSince: null, riskSignal: null, lastRiskExitAt: next.riskExitAt ?? s.lastRiskExitAt }
    : moved;
}

function moveTo(
  s: AccountState,
  to: StagePoint,
  churnedAt: number | null,
  effects: JourneyEffect[],
): AccountState {
  if (to.stage === s.stage) return s;
  const at = Math.max(to.at, s.stageEnteredAt);
  effects.push({
    kind: 'transition',
    id: effectId(s.key, 'transition', s.stage, to.stage, at),
    account_key: s.key,
    from_stage: s.stage,
    to_stage: to.stage,
    at,
    reason: to.reason,
    map_version: s.mapVersion,
  });
  return {
    ...s,
    stage: to.stage,
    stageEnteredAt: at,
    stageEntries: to.stage in s.stageEntries ? s.stageEntries : { ...s.stageEntries, [to.stage]: at },
    stalledStage: null,
    churnedAt,
  };
}

const KIND_ORDER = { stall: 0, move: 1, risk: 2 } as const;

/** Settles the state up to `now`, firing what is due by then in time order. Pure; idempotent. */
export function advanceTime(state: AccountState, now: number, map: JourneyMap): Reduced {
  const effects: JourneyEffect[] = [];
  // Reference-preserving: when nothing is due the input state comes back as is, so the sweep can
  // tell (by identity) which accounts changed and writes only those.
  const versioned = state.mapVersion === map.version ? state : { ...state, mapVersion: map.version };
  let s = settleMarkers(versioned, now, map, effects);
  const first = ordinaryStages(map)[0]!.id;
  if (
    s.stage === first &&
    Object.keys(s.stageEntries).length <= 1 &&
    (s.stageEnteredAt !== s.firstSeenAt || s.stageEntries[first] !== s.firstSeenAt)
  )
    s = { ...s, stageEnteredAt: s.firstSeenAt, stageEntries: { [first]: s.firstSeenAt } };
  for (let round = 0; round < 64; round++) {
    const due = candidates(s, now, map)
      .filter((n) => n.at <= now)
      .sort((a, b) => a.at - b.at || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
    const next = due[0];
    if (!next) break;
    const after = apply(s, next, map, effects);
    if (after === s) break;
    s = after;
  }
  // Stages passed while away (in a signal stage) still get their first entry time.
  for (const point of ordinaryChain(s, map)) {
    if (point.at <= now && !(point.stage in s.stageEntries))
      s = { ...s, stageEntries: { ...s.stageEntries, [point.stage]: point.at } };
  }
  return { state: s, effects };
}
