// A canonical JourneyEvent with every optional column empty; normalisers fill what they know.
import type { EventSource, Identifiers, JourneyEvent } from '../shared/generated/avro-types.ts';
import { checkTimestampWindow } from './event-time.ts';
import type { IngestLimits, IngestMessageMeta } from './ingest-config.ts';

export interface JourneyEventCore {
  source: EventSource;
  type: string;
  name: string;
  event_time: number;
  received_time: number;
  ids: Identifiers;
}

/** Identifiers with every field empty. */
export const noIdentifiers = (): Identifiers => ({
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
});

export function newJourneyEvent(core: JourneyEventCore): JourneyEvent {
  return {
    event_id: '',
    ...core,
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

/**
 * newJourneyEvent for a message received at meta.receivedTime whose event happened at eventTime,
 * once checkTimestampWindow has accepted that time (PayloadError timestamp_out_of_window if not).
 */
export function newReceivedEvent(
  core: Omit<JourneyEventCore, 'event_time' | 'received_time'>,
  eventTime: number,
  meta: IngestMessageMeta,
  limits: IngestLimits,
): JourneyEvent {
  checkTimestampWindow(eventTime, meta.receivedTime, limits);
  return newJourneyEvent({
    source: core.source,
    type: core.type,
    name: core.name,
    event_time: eventTime,
    received_time: meta.receivedTime,
    ids: core.ids,
  });
}
