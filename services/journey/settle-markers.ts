// Funnel steps reached and activation, announced once each when the watermark passes them (an
// earlier step or activation within the lateness can still replace a later one before then).
import type { AccountState } from './account-state.ts';
import { effectId } from './journey-effects.ts';
import type { JourneyEffect } from './journey-effects.ts';
import type { JourneyMap } from './journey-map.ts';

export const funnelStepName = (step: JourneyMap['funnel']['steps'][number]): string =>
  typeof step === 'string' ? step : step.event;

export function settleMarkers(
  prev: AccountState,
  now: number,
  map: JourneyMap,
  effects: JourneyEffect[],
): AccountState {
  let s = prev;
  map.funnel.steps.forEach((step, i) => {
    const name = funnelStepName(step);
    const at = s.funnel[name];
    if (at === undefined || at > now || (s.emittedFunnel & (1 << i)) !== 0) return;
    effects.push({
      kind: 'funnel_step',
      id: effectId(s.key, 'funnel_step', name, at),
      account_key: s.key,
      step: name,
      step_index: i,
      at,
      map_version: s.mapVersion,
    });
    s = { ...s, emittedFunnel: s.emittedFunnel | (1 << i) };
  });
  if (!s.emittedActivation && s.activatedAt !== null && s.activatedAt <= now) {
    effects.push({
      kind: 'activation',
      id: effectId(s.key, 'activation', '', s.activatedAt),
      account_key: s.key,
      at: s.activatedAt,
      signup_at: s.signupAt,
      map_version: s.mapVersion,
    });
    s = { ...s, emittedActivation: true, keyActions: [] };
  }
  return s;
}
