// Rows of journey_events (a resolved JourneyEvent) and dlq_events (a dead letter's summary).
import type { JourneyEvent } from '../../shared/generated/avro-types.ts';
import type { DeadLetterRecord } from '../../shared/kafka/dead-letter.ts';
import { isoTime } from './row-time.ts';

/** journey_events: one row per resolved event; properties as a JSON string. */
export interface JourneyEventRow {
  event_id: string;
  source: string;
  type: string;
  name: string;
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
    event_time: isoTime(event.event_time),
    received_time: isoTime(event.received_time),
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

/** dlq_events: the summary of one dead letter (the bytes stay in the DLQ topic). */
export interface DlqRow {
  reason: string;
  step: string;
  detail: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  schema_id: number | null;
  message_key: string;
  message_bytes: number;
  dead_lettered_at: string;
}

/** The dead letter as read from its headers, with the DLQ message's key, size and timestamp. */
export function dlqRow(
  letter: DeadLetterRecord,
  message: { key: Buffer | null; value: Buffer | null; timestampMs: number },
): DlqRow {
  return {
    reason: letter.reason,
    step: letter.step,
    detail: letter.detail,
    source_topic: letter.sourceTopic,
    source_partition: letter.sourcePartition || 0,
    source_offset: letter.sourceOffset || '0',
    schema_id: letter.schemaId,
    message_key: message.key?.toString('utf8') ?? '',
    message_bytes: message.value?.length ?? 0,
    dead_lettered_at: letter.time || isoTime(message.timestampMs),
  };
}
