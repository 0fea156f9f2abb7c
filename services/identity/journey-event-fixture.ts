// Builds canonical JourneyEvents for identity tests: only the fields identity reads matter.

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
    event_id: sketch.id,
    source: sketch.source ?? 'behavior',
    type: sketch.type ?? 'track',
    name: sketch.type ?? 'Page Viewed',
    event_time: sketch.time ?? 1_700_000_000_000,
    received_time: sketch.time ?? 1_700_000_000_000,
    ids: { ...NO_IDS, ...sketch.ids },
    channel: null,
    utm: null,
    plan: null,
    seats: null,
    amount_cents: null,
    currency: null,
    mrr_cents: null,
    mrr_delta_cents: null,
    mrr_change_kind: null,
    cancel_reason: null,
    score_kind: null,
    score: null,
    comment: null,
    survey_stage: null,
    ticket_id: null,
    ticket_priority: null,
    ticket_status: null,
    ticket_category: null,
    experiment_id: null,
    experiment_variant: null,
    traits_json: null,
    properties_json: '{}',
    person_id: null,
    account_id: null,
  };
}
