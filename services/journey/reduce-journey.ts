// The journey reducer: (state, event, now, map) -> { state, effects }. Pure: no clock, no I/O.
// The event is folded into the account's order-insensitive facts (apply-event-facts.ts), then
// time is advanced to the watermark `now` (advance-time.ts), which announces what is settled.
// Same events, same `now`s: same state and effects on every replay. docs/journey.md has the rules.
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import { newAccountState } from './account-state.ts';
import type { AccountState } from './account-state.ts';
import { advanceTime } from './advance-time.ts';
import type { Reduced } from './advance-time.ts';
import { applyEventFacts } from './apply-event-facts.ts';
import type { JourneyMap } from './journey-map.ts';
import { EventView } from './match-condition.ts';

export type { Reduced } from './advance-time.ts';

/** Whose journey an event belongs to: its account, else its person (before an account is known). */
export function journeyKeyOf(event: JourneyEvent): { key: string; kind: AccountState['kind'] } {
  if (event.account_id) return { key: event.account_id, kind: 'account' };
  return { key: event.person_id ?? event.event_id, kind: 'person' };
}

export function reduceJourney(
  state: AccountState | undefined,
  event: JourneyEvent,
  now: number,
  map: JourneyMap,
): Reduced {
  const { key, kind } = journeyKeyOf(event);
  const base = state ?? newAccountState(key, kind, event.event_time, map.stages[0]!.id, map.version);
  const withFacts = applyEventFacts({ ...base, mapVersion: map.version }, new EventView(event), map);
  return advanceTime(withFacts, now, map);
}
