// Timers: an account that does nothing still becomes stalled and at-risk. Firing times are
// computed from the state (entry time + stall days, last activity + inactive days), never from
// when the tick arrived, so a replay fires the same effects with the same timestamps.
import { DAY_MS } from './account-state.ts';
import type { AccountState } from './account-state.ts';
import { effectId } from './journey-effects.ts';
import type { JourneyEffect } from './journey-effects.ts';
import { signalStage, stageIndex } from './journey-map.ts';
import type { JourneyMap } from './journey-map.ts';
import { transition } from './reduce-journey.ts';

export function advanceTime(
  state: AccountState,
  now: number,
  map: JourneyMap,
): { state: AccountState; effects: JourneyEffect[] } {
  const effects: JourneyEffect[] = [];
  let s = state;
  const atRisk = signalStage(map, 'inactivity');
  const current = map.stages[stageIndex(map, s.stage)];
  // At-risk by inactivity: only after sign-up, from the ordinary post-acquisition stages.
  const riskAt = s.lastActivityAt + map.churn_risk.inactive_days * DAY_MS;
  if (current && !current.signal && stageIndex(map, s.stage) > 0 && now >= riskAt) {
    s = transition(s, atRisk.id, riskAt, 'inactivity', effects);
  }
  const stage = map.stages[stageIndex(map, s.stage)];
  if (stage?.stall_days !== undefined && s.stalledStage !== s.stage) {
    const stallAt = s.stageEnteredAt + stage.stall_days * DAY_MS;
    if (now >= stallAt) {
      effects.push({
        kind: 'stall',
        id: effectId(s.key, 'stall', s.stage, s.stageEnteredAt),
        account_key: s.key,
        stage: s.stage,
        at: stallAt,
        stalled_days: stage.stall_days,
        map_version: s.mapVersion,
      });
      s = { ...s, stalledStage: s.stage };
    }
  }
  return { state: s, effects };
}
