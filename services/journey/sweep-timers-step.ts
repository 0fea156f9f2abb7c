// Step: advance every account to the watermark — stalls, inactivity at-risk transitions, and a
// re-score (inactivity alone raises churn risk). Runs when the watermark moved past the sweep
// interval, inside a batch, so its outputs share the batch's commit.
import { DAY_MS, dayOf } from './account-state.ts';
import type { AccountState } from './account-state.ts';
import { advanceTime } from './advance-time.ts';
import { stageIndex } from './journey-map.ts';
import type { JourneyMap } from './journey-map.ts';
import { putState } from './account-store.ts';
import type { AccountStore } from './account-store.ts';
import type { JourneyContext, JourneyStepOutput } from './apply-journey-step.ts';
import { isScored, rescore } from './rescore-account.ts';

function stallDue(state: AccountState, now: number, map: JourneyMap): boolean {
  const stallDays = map.stages[stageIndex(map, state.stage)]?.stall_days;
  return (
    stallDays !== undefined &&
    state.stalledStage !== state.stage &&
    state.stageEnteredAt + stallDays * DAY_MS <= now
  );
}

export function sweepTimersStep(
  store: AccountStore,
  ctx: JourneyContext,
  intervalMs: number,
  out: JourneyStepOutput,
): boolean {
  if (store.watermark - store.lastSweep < intervalMs) return false;
  const now = store.watermark;
  const previous = store.lastSweep;
  for (const [key, state] of store.states)
    sweepAccount(store, key, state, { now, previous, intervalMs }, ctx, out);
  store.lastSweep = now;
  return true;
}

/** One sweep: to `now`, the previous one at `previous`, every `intervalMs` of event time (0: a
 *  wall-clock tick). */
export interface Sweep {
  now: number;
  previous: number;
  intervalMs: number;
}

/** One account's part of a sweep. */
export function sweepAccount(
  store: AccountStore,
  key: string,
  state: AccountState,
  sweep: Sweep,
  ctx: JourneyContext,
  out: JourneyStepOutput,
): void {
  const { now, previous, intervalMs } = sweep;
  // Risk signals fire at midnights and the scheduled re-score is daily, so within one UTC day an
  // account needs an interval sweep only for facts newer than the previous sweep or a stall falling
  // due. Wall-clock ticks (interval 0, rate-limited, idle input only) sweep every account.
  const newDay = dayOf(now) !== dayOf(previous);
  if (intervalMs > 0 && !newDay && state.maxEventTime <= previous && !stallDue(state, now, ctx.map)) return;
  const advanced = advanceTime(state, now, ctx.map);
  let next = advanced.state;
  out.effects.push(...advanced.effects);
  if (isScored(next, now, ctx.map)) next = rescore(next, now, ctx, out);
  if (next !== state) putState(store, { ...next, key });
}
