// Zendesk-like ticket change (JSON trigger-webhook body, or Avro per schemas/support_ticket.avsc)
// -> canonical JourneyEvent. The requester's external_id is the product user id and the
// organization's external_id the product account id; Zendesk's own ids stay as
// ticket_requester_id and properties.organization_id (they are not product account ids).
// A Zendesk event webhook (`type: "zen:event-type:…"`) is recognised per message and mapped by
// normalise-zendesk-event.ts.
import type { StepResult } from '../shared/results.ts';
import { ok } from '../shared/results.ts';
import { checkIdentifierLength, checkMessageObject, optTagList } from './check-payload-limits.ts';
import { collectIdentifiers, hasAnyIdentifier } from './collect-identifiers.ts';
import { sourceEventId } from './event-id.ts';
import { optTime } from './event-time.ts';
import type { IngestConfig, IngestMessageMeta, NormalisedEvent } from './ingest-config.ts';
import { newReceivedEvent } from './new-journey-event.ts';
import { isZendeskEvent, mapZendeskEvent } from './normalise-zendesk-event.ts';
import { PayloadError, runNormaliser } from './payload-error.ts';
import { scrubEmailsInText } from './pseudonymise-email.ts';
import { optIdentifier, optObject, optString, requireValue } from './read-payload-fields.ts';

const TICKET_KINDS = new Set(['created', 'updated', 'solved', 'satisfaction_rated']);
/** Zendesk CSAT is binary: good -> 1, bad -> 0 (offered / unoffered carry no score). */
const CSAT_SCORE: Readonly<Record<string, number>> = { good: 1, bad: 0 };

function lower(v: string | undefined): string | null {
  return v === undefined ? null : v.trim().toLowerCase();
}

function mapTicket(
  payload: unknown,
  meta: IngestMessageMeta,
  config: IngestConfig,
): StepResult<NormalisedEvent> {
  checkMessageObject(payload, config.limits);
  if (isZendeskEvent(payload)) return mapZendeskEvent(payload, meta, config);
  const ticketId = requireValue(optIdentifier(payload, 'ticket_id'), 'ticket_id');
  checkIdentifierLength(ticketId, 'ticket_id', config.limits);
  const kind = requireValue(optString(payload, 'event_kind'), 'event_kind');
  if (!TICKET_KINDS.has(kind)) throw new PayloadError('unsupported_event_type', `event_kind "${kind}"`);
  const tags = optTagList(payload, 'tags', 'tags', config.limits);

  const requester = optObject(payload, 'requester') ?? {};
  const organization = optObject(payload, 'organization') ?? {};
  const { ids, junk } = collectIdentifiers(
    {
      ticket_requester_id: optIdentifier(requester, 'id', 'requester.id'),
      user_id: optIdentifier(requester, 'external_id', 'requester.external_id'),
      email: optString(requester, 'email', 'requester.email'),
      account_id: optIdentifier(organization, 'external_id', 'organization.external_id'),
    },
    config,
  );
  if (!hasAnyIdentifier(ids))
    throw new PayloadError('no_identifier', 'the ticket names no requester or organization');

  const createdAt = optTime(payload, 'created_at');
  const updatedAt = optTime(payload, 'updated_at');
  const solvedAt = optTime(payload, 'solved_at');
  const eventTime =
    kind === 'created'
      ? requireValue(createdAt ?? updatedAt, 'created_at')
      : kind === 'solved'
        ? requireValue(solvedAt ?? updatedAt, 'solved_at')
        : requireValue(updatedAt, 'updated_at');

  const event = newReceivedEvent(
    { source: 'tickets', type: 'ticket', name: `ticket.${kind}`, ids },
    eventTime,
    meta,
    config.limits,
  );
  event.event_id = sourceEventId('tickets', ticketId, kind, String(updatedAt ?? eventTime));
  event.ticket_id = ticketId;
  event.ticket_status = lower(optString(payload, 'status'));
  event.ticket_priority = lower(optString(payload, 'priority'));
  event.ticket_category = optString(payload, 'category') ?? null;

  const rating = optObject(payload, 'satisfaction_rating');
  const ratingScore =
    rating === undefined ? undefined : lower(optString(rating, 'score', 'satisfaction_rating.score'));
  // hasOwn: a rating named "constructor" or "__proto__" is unknown, not Object.prototype's member.
  const score =
    ratingScore == null || !Object.hasOwn(CSAT_SCORE, ratingScore) ? undefined : CSAT_SCORE[ratingScore];
  if (score !== undefined) {
    event.score_kind = 'csat';
    event.score = score;
  }
  const comment =
    rating === undefined ? undefined : optString(rating, 'comment', 'satisfaction_rating.comment');
  if (comment !== undefined && comment.trim() !== '') event.comment = scrubEmailsInText(comment, config.pii);

  const via = optObject(payload, 'via');
  const subject = optString(payload, 'subject');
  event.properties_json = JSON.stringify({
    channel:
      optString(payload, 'channel') ??
      (via === undefined ? undefined : optString(via, 'channel', 'via.channel')),
    tags,
    subject: subject === undefined ? undefined : scrubEmailsInText(subject, config.pii),
    organization_id: optIdentifier(organization, 'id', 'organization.id'),
    organization_name: optString(organization, 'name', 'organization.name'),
    satisfaction_rating: ratingScore ?? undefined,
  });
  return ok({ event, junkIdentifiers: junk });
}

/** Step: a ticket change -> canonical event (id tickets:<ticket id>:<kind>:<updated_at ms>, or
 *  tickets:zendesk:<event id> for a Zendesk event webhook). */
export function normaliseTicketStep(
  payload: unknown,
  meta: IngestMessageMeta,
  config: IngestConfig,
): StepResult<NormalisedEvent> {
  return runNormaliser(() => mapTicket(payload, meta, config));
}
