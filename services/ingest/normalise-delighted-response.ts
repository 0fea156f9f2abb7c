// Delighted webhook (`{"event_type":"survey_response.created|updated","event_id","event_data":{id,
// person{id,email,name,created_at},survey_type,score,comment,created_at,updated_at,
// person_properties,…}}`, app.delighted.com/docs/api/webhooks) -> canonical survey event.
// Delighted's times are Unix seconds. The person's email is the identifier; a product user or
// account id is read from person_properties when the sender set one ("user_id", "account_id").
import type { ScoreKind } from '../shared/generated/avro-types.ts';
import type { StepResult } from '../shared/results.ts';
import { ok } from '../shared/results.ts';
import { checkIdentifierLength } from './check-payload-limits.ts';
import { collectIdentifiers, hasAnyIdentifier } from './collect-identifiers.ts';
import { contentEventId, sourceEventId } from './event-id.ts';
import type { IngestConfig, IngestMessageMeta, NormalisedEvent } from './ingest-config.ts';
import { newSurveyEvent } from './new-survey-event.ts';
import { PayloadError } from './payload-error.ts';
import { scrubEmailsInText } from './pseudonymise-email.ts';
import type { PayloadObject } from './read-payload-fields.ts';
import {
  optIdentifier,
  optInteger,
  optObject,
  optString,
  optStringList,
  requireValue,
} from './read-payload-fields.ts';
import { requireScore } from './survey-score-range.ts';

const DELIGHTED_EVENT_PREFIX = 'survey_response.';
const DELIGHTED_EVENTS = new Set(['survey_response.created', 'survey_response.updated']);

/**
 * Delighted survey types with a canonical score kind. The others (eNPS, PMF, 5-star, smileys,
 * thumbs) measure something else or on another scale: dead-lettered by name.
 */
const SURVEY_TYPE_KIND: Readonly<Record<string, ScoreKind>> = { nps: 'nps', csat: 'csat', ces: 'ces' };

/** Recognises every Delighted webhook (unsubscribe.created too, which is then dead-lettered). */
export function isDelightedResponse(payload: PayloadObject): boolean {
  const type = payload.event_type;
  return (
    typeof type === 'string' &&
    (type.startsWith(DELIGHTED_EVENT_PREFIX) || type === 'unsubscribe.created') &&
    payload.event_data !== undefined
  );
}

/** Unix seconds (Delighted's time unit) -> epoch ms; null/missing -> undefined. */
function optUnixSeconds(obj: PayloadObject, key: string, path: string): number | undefined {
  const seconds = optInteger(obj, key, path);
  return seconds === undefined ? undefined : seconds * 1000;
}

export function mapDelightedResponse(
  payload: PayloadObject,
  meta: IngestMessageMeta,
  config: IngestConfig,
): StepResult<NormalisedEvent> {
  const eventType = requireValue(optString(payload, 'event_type'), 'event_type');
  if (!DELIGHTED_EVENTS.has(eventType)) {
    throw new PayloadError('unsupported_event_type', `Delighted event_type "${eventType}"`);
  }
  const data = requireValue(optObject(payload, 'event_data'), 'event_data');
  const surveyType = requireValue(
    optString(data, 'survey_type', 'event_data.survey_type'),
    'event_data.survey_type',
  )
    .trim()
    .toLowerCase();
  // hasOwn: a survey_type named "constructor" is unknown, not Object.prototype's member.
  const kind = Object.hasOwn(SURVEY_TYPE_KIND, surveyType) ? SURVEY_TYPE_KIND[surveyType] : undefined;
  if (kind === undefined) {
    throw new PayloadError(
      'unsupported_event_type',
      `Delighted survey_type "${surveyType}" has no canonical score kind (mapped: ${Object.keys(SURVEY_TYPE_KIND).join(', ')})`,
    );
  }
  const score = requireScore(data, 'score', 'event_data.score', kind);

  const person = optObject(data, 'person', 'event_data.person') ?? {};
  const personProperties = optObject(data, 'person_properties', 'event_data.person_properties') ?? {};
  const { ids, junk } = collectIdentifiers(
    {
      email: optString(person, 'email', 'event_data.person.email'),
      user_id: optIdentifier(personProperties, 'user_id', 'event_data.person_properties.user_id'),
      account_id: optIdentifier(personProperties, 'account_id', 'event_data.person_properties.account_id'),
    },
    config,
  );
  if (!hasAnyIdentifier(ids)) throw new PayloadError('no_identifier', 'the response names no person');

  // One response, one survey answer: .created and .updated of it carry the time it was given
  // (created_at) and the same event id, so the answer is counted once (see below).
  const createdAt = optUnixSeconds(data, 'created_at', 'event_data.created_at');
  const updatedAt = optUnixSeconds(data, 'updated_at', 'event_data.updated_at');
  const eventTime = requireValue(createdAt ?? updatedAt, 'event_data.created_at');

  const event = newSurveyEvent({ kind, score, ids }, eventTime, meta, config.limits);
  const comment = optString(data, 'comment', 'event_data.comment');
  if (comment !== undefined && comment.trim() !== '') event.comment = scrubEmailsInText(comment, config.pii);
  const responseId = optIdentifier(data, 'id', 'event_data.id');
  event.properties_json = JSON.stringify({
    survey_vendor: 'delighted',
    delighted_event_type: eventType,
    response_id: responseId,
    delighted_person_id: optIdentifier(person, 'id', 'event_data.person.id'),
    tags: optStringList(data, 'tags', 'event_data.tags'),
  });

  // The response id is the event id: Delighted's redeliveries and the .updated of a response
  // already received dedupe at the ingest, so an NPS answer never counts twice (the comment an
  // .updated adds is kept only when its .created was not received). Without a response id,
  // Delighted's event_id; without either, the content hash.
  const eventId = responseId === undefined ? optIdentifier(payload, 'event_id') : `response:${responseId}`;
  if (eventId !== undefined) checkIdentifierLength(eventId, 'event id', config.limits);
  event.event_id =
    eventId === undefined || eventId.trim() === ''
      ? contentEventId(event)
      : sourceEventId('surveys', 'delighted', eventId);
  return ok({ event, junkIdentifiers: junk });
}
