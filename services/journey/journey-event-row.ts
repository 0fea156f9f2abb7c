// A resolved event as a row of the ClickHouse journey_events table (JSONEachRow).
import type { JourneyEvent } from '../shared/generated/avro-types.ts';

export interface JourneyEventRow {
  event_id: string;
  source: string;
  type: string;
  name: string;
  /** ISO-8601 with milliseconds (inserted with date_time_input_format=best_effort). */
  event_time: string;
  received_time: string;
  person_id: string;
  account_id: string;
  anonymous_id: string;
  user_id: string;
  email_hash: string;
  channel: string;
  utm_source: string;
  utm_medium: string;
  utm_campaign: string;
  plan: string;
  seats: number | null;
  amount_cents: number | null;
  currency: string;
  mrr_cents: number | null;
  mrr_delta_cents: number | null;
  mrr_change_kind: string;
  cancel_reason: string;
  score_kind: string;
  score: number | null;
  comment: string;
  survey_stage: string;
  ticket_id: string;
  ticket_priority: string;
  ticket_status: string;
  ticket_category: string;
  experiment_id: string;
  experiment_variant: string;
  properties: string;
}

export function journeyEventRow(event: JourneyEvent): JourneyEventRow {
  return {
    event_id: event.event_id,
    source: event.source,
    type: event.type,
    name: event.name,
    event_time: new Date(event.event_time).toISOString(),
    received_time: new Date(event.received_time).toISOString(),
    person_id: event.person_id ?? '',
    account_id: event.account_id ?? '',
    anonymous_id: event.ids.anonymous_id ?? '',
    user_id: event.ids.user_id ?? '',
    email_hash: event.ids.email_hash ?? '',
    channel: event.channel ?? '',
    utm_source: event.utm?.source ?? '',
    utm_medium: event.utm?.medium ?? '',
    utm_campaign: event.utm?.campaign ?? '',
    plan: event.plan ?? '',
    seats: event.seats,
    amount_cents: event.amount_cents,
    currency: event.currency ?? '',
    mrr_cents: event.mrr_cents,
    mrr_delta_cents: event.mrr_delta_cents,
    mrr_change_kind: event.mrr_change_kind ?? '',
    cancel_reason: event.cancel_reason ?? '',
    score_kind: event.score_kind ?? '',
    score: event.score,
    comment: event.comment ?? '',
    survey_stage: event.survey_stage ?? '',
    ticket_id: event.ticket_id ?? '',
    ticket_priority: event.ticket_priority ?? '',
    ticket_status: event.ticket_status ?? '',
    ticket_category: event.ticket_category ?? '',
    experiment_id: event.experiment_id ?? '',
    experiment_variant: event.experiment_variant ?? '',
    properties: event.properties_json,
  };
}
