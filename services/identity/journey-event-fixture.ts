// Builds canonical JourneyEvents for identity tests: only the fields identity reads matter.

import { newJourneyEvent } from '../ingest/new-journey-event.ts';
import type { Identifiers, JourneyEvent } from '../shared/generated/avro-types.ts';

const NO_IDS: Identifiers = {
  anonymous_id: null,
  user_id: null,
  email_hash: null,
  email: null,
  device_id: null,
  account_id: null,
  billing_customer_id: null,
  crm_id: null,
  ticket_requester_id: null,
  previous_id: null,
};

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
      ids: { ...NO_IDS, ...sketch.ids },
    }),
    event_id: sketch.id,
    person_id: null,
    account_id: null,
  };
}
