// Builds canonical JourneyEvents for identity tests: only the fields identity reads matter.

import { newJourneyEvent, noIdentifiers } from '../ingest/new-journey-event.ts';
import type { Identifiers, JourneyEvent } from '../shared/generated/avro-types.ts';

export interface EventSketch {
  id: string;
  type?: string;
  source?: JourneyEvent['source'];
  time?: number;
  ids: Partial<Identifiers>;
}

export function journeyEvent(sketch: EventSketch): JourneyEvent {
  return {
    ...newJourneyEvent({
      source: sketch.source ?? 'behavior',
      type: sketch.type ?? 'track',
      name: sketch.type ?? 'Page Viewed',
      event_time: sketch.time ?? 1_700_000_000_000,
      received_time: sketch.time ?? 1_700_000_000_000,
      ids: { ...noIdentifiers(), ...sketch.ids },
    }),
    event_id: sketch.id,
    person_id: null,
    account_id: null,
  };
}
