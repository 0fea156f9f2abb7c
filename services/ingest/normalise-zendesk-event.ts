// Zendesk event webhook (`{"type":"zen:event-type:ticket.…","id","time","account_id","detail":{the
// ticket},"event":{…}}`, developer.zendesk.com/api-reference/webhooks/event-types/ticket-events)
// -> canonical ticket event. These payloads carry Zendesk's own ids only: requester_id becomes
// ticket_requester_id and organization_id properties.organization_id, as in the trigger-webhook
// shape; the ticket reaches a product user / account once a trigger webhook (or any input) names
// the same requester with their external_id or email (docs/ingest.md "Vendor formats").
import type { StepResult } from '../shared/results.ts';
import { drop, ok } from '../shared/results.ts';
import { checkIdentifierLength, optTagList } from './check-payload-limits.ts';
import { collectIdentifiers, hasAnyIdentifier } from './collect-identifiers.ts';
import { contentEventId, sourceEventId } from './event-id.ts';
import { optTime } from './event-time.ts';
import type { IngestConfig, IngestMessageMeta, NormalisedEvent } from './ingest-config.ts';
import { newReceivedEvent } from './new-journey-event.ts';
import { PayloadError } from './payload-error.ts';
import { scrubEmailsInText } from './pseudonymise-email.ts';
import type { PayloadObject } from './read-payload-fields.ts';
import { optBoolean, optIdentifier, optObject, optString, requireValue } from './read-payload-fields.ts';

export const ZENDESK_EVENT_PREFIX = 'zen:event-type:';

/** Statuses that end a ticket: a status change to one of them is `solved`. */
const SOLVED_STATUSES = new Set(['solved', 'closed']);

/** The mapped Zendesk event types; every other `zen:event-type:*` is dead-lettered by name. */
const TICKET_EVENT_KINDS: Readonly<Record<string, 'created' | 'status' | 'updated'>> = {
  'ticket.created': 'created',
  'ticket.status_changed': 'status',
  'ticket.priority_changed': 'updated',
  'ticket.comment_added': 'updated',
};

/**
 * Zendesk event types that are listed but whose payload Zendesk does not document: dead-lettered
 * with the way round (replayable with `journey replay-dlq` once mapped).
 */
const UNDOCUMENTED: Readonly<Record<string, string>> = {
  'ticket.csat_received':
    'its payload is not documented by Zendesk; send satisfaction ratings as a trigger webhook (satisfaction_rating)',
};

/** User events that do not say who the user is now (a deletion, a merge into another user). */
const USER_EVENTS_NOT_LINKING = new Set(['user.deleted', 'user.merged']);

/**
 * A `zen:event-type:user.*` event: the Zendesk user's detail names its id, external_id and email
 * (developer.zendesk.com/api-reference/webhooks/event-types/user-events). An end-user's becomes a
 * canonical `identify` on the tickets source joining the requester id of its tickets to the
 * product user (external_id) and email, so event-webhook tickets reach the product person and
 * account. It is not activity and names no role (a Zendesk role is not the customer's). Agents
 * and admins (support staff), and a user naming nothing beyond its Zendesk id, are dropped (counted).
 */
function mapUserEvent(
  payload: PayloadObject,
  type: string,
  meta: IngestMessageMeta,
  config: IngestConfig,
): StepResult<NormalisedEvent> {
  const detail = requireValue(optObject(payload, 'detail'), 'detail');
  const role = lower(optString(detail, 'role', 'detail.role'));
  if (role !== null && role !== 'end-user') return drop('zendesk_staff_user');
  const userId = requireValue(optZendeskId(detail, 'id', 'detail.id'), 'detail.id');
  const { ids, junk } = collectIdentifiers(
    {
      ticket_requester_id: userId,
      user_id: optIdentifier(detail, 'external_id', 'detail.external_id'),
      email: optString(detail, 'email', 'detail.email'),
    },
    config,
  );
  if (ids.user_id === null && ids.email_hash === null) return drop('zendesk_user_without_product_id');
  const event = newReceivedEvent(
    { source: 'tickets', type: 'identify', name: `zendesk.${type}`, ids },
    eventTimeOf(payload, detail),
    meta,
    config.limits,
  );
  event.properties_json = JSON.stringify({
    zendesk_event_type: `${ZENDESK_EVENT_PREFIX}${type}`,
    zendesk_account_id: optIdentifier(payload, 'account_id'),
    organization_id: optZendeskId(detail, 'organization_id', 'detail.organization_id'),
  });
  const eventId = optIdentifier(payload, 'id');
  event.event_id =
    eventId === undefined || eventId.trim() === '' || eventId.length > config.limits.maxIdentifierLength
      ? contentEventId(event)
      : sourceEventId('tickets', 'zendesk', eventId);
  return ok({ event, junkIdentifiers: junk });
}

/** Zendesk writes "0" for "no organization" (see the user event example in its reference). */
function optZendeskId(obj: PayloadObject, key: string, path: string): string | undefined {
  const id = optIdentifier(obj, key, path);
  return id === undefined || id === '0' || id.trim() === '' ? undefined : id;
}

/** When the event happened: its `time`, else the detail's updated_at. */
function eventTimeOf(payload: PayloadObject, detail: PayloadObject): number {
  return requireValue(optTime(payload, 'time') ?? optTime(detail, 'updated_at', 'detail.updated_at'), 'time');
}

function lower(v: string | undefined): string | null {
  return v === undefined ? null : v.trim().toLowerCase();
}

/** A `zen:event-type:ticket.*` change as read from `event` ({previous, current} or {comment}). */
function readChange(event: PayloadObject, key: string): string | undefined {
  const value = event[key];
  return typeof value === 'string' ? value : undefined;
}

export function isZendeskEvent(payload: PayloadObject): boolean {
  const type = payload.type;
  return typeof type === 'string' && type.startsWith(ZENDESK_EVENT_PREFIX);
}

export function mapZendeskEvent(
  payload: PayloadObject,
  meta: IngestMessageMeta,
  config: IngestConfig,
): StepResult<NormalisedEvent> {
  const type = requireValue(optString(payload, 'type'), 'type').slice(ZENDESK_EVENT_PREFIX.length);
  if (Object.hasOwn(UNDOCUMENTED, type)) {
    throw new PayloadError(
      'unsupported_event_type',
      `Zendesk event "${ZENDESK_EVENT_PREFIX}${type}": ${UNDOCUMENTED[type]}`,
    );
  }
  if (type.startsWith('user.') && !USER_EVENTS_NOT_LINKING.has(type))
    return mapUserEvent(payload, type, meta, config);
  if (!Object.hasOwn(TICKET_EVENT_KINDS, type)) {
    throw new PayloadError(
      'unsupported_event_type',
      `Zendesk event "${ZENDESK_EVENT_PREFIX}${type}" is not mapped (mapped: ${Object.keys(TICKET_EVENT_KINDS).join(', ')})`,
    );
  }
  const detail = requireValue(optObject(payload, 'detail'), 'detail');
  const event = optObject(payload, 'event') ?? {};
  const ticketId = requireValue(optIdentifier(detail, 'id', 'detail.id'), 'detail.id');
  checkIdentifierLength(ticketId, 'detail.id', config.limits);
  const tags = optTagList(detail, 'tags', 'detail.tags', config.limits);

  const { ids, junk } = collectIdentifiers(
    { ticket_requester_id: optZendeskId(detail, 'requester_id', 'detail.requester_id') },
    config,
  );
  if (!hasAnyIdentifier(ids)) throw new PayloadError('no_identifier', 'the ticket names no requester');

  // A status change carries the new status in event.current; detail.status is the ticket's status
  // when the event was written, the same value in Zendesk's examples.
  const mapping = TICKET_EVENT_KINDS[type];
  const status = lower(
    (mapping === 'status' ? readChange(event, 'current') : undefined) ??
      optString(detail, 'status', 'detail.status'),
  );
  const kind =
    mapping === 'status' ? (status !== null && SOLVED_STATUSES.has(status) ? 'solved' : 'updated') : mapping;

  const journeyEvent = newReceivedEvent(
    { source: 'tickets', type: 'ticket', name: `ticket.${kind}`, ids },
    eventTimeOf(payload, detail),
    meta,
    config.limits,
  );
  journeyEvent.ticket_id = ticketId;
  journeyEvent.ticket_status = status;
  journeyEvent.ticket_priority = lower(
    (type === 'ticket.priority_changed' ? readChange(event, 'current') : undefined) ??
      optString(detail, 'priority', 'detail.priority'),
  );

  const comment = optObject(event, 'comment', 'event.comment');
  const body = comment === undefined ? undefined : optString(comment, 'body', 'event.comment.body');
  if (body !== undefined && body.trim() !== '') journeyEvent.comment = scrubEmailsInText(body, config.pii);
  const author = comment === undefined ? undefined : optObject(comment, 'author', 'event.comment.author');

  const via = optObject(detail, 'via', 'detail.via');
  const subject = optString(detail, 'subject', 'detail.subject');
  journeyEvent.properties_json = JSON.stringify({
    zendesk_event_type: `${ZENDESK_EVENT_PREFIX}${type}`,
    zendesk_account_id: optIdentifier(payload, 'account_id'),
    channel: via === undefined ? undefined : optString(via, 'channel', 'detail.via.channel'),
    tags,
    subject: subject === undefined ? undefined : scrubEmailsInText(subject, config.pii),
    organization_id: optZendeskId(detail, 'organization_id', 'detail.organization_id'),
    ticket_type: lower(optString(detail, 'type', 'detail.type')) ?? undefined,
    previous_status: mapping === 'status' ? (lower(readChange(event, 'previous')) ?? undefined) : undefined,
    previous_priority:
      type === 'ticket.priority_changed' ? (lower(readChange(event, 'previous')) ?? undefined) : undefined,
    comment_public:
      comment === undefined ? undefined : optBoolean(comment, 'is_public', 'event.comment.is_public'),
    comment_author_is_staff:
      author === undefined ? undefined : optBoolean(author, 'is_staff', 'event.comment.author.is_staff'),
  });

  // Zendesk's event id is stable across its redeliveries, so a retry dedupes; without one, the
  // content hash does the same.
  const eventId = optIdentifier(payload, 'id');
  if (eventId !== undefined) checkIdentifierLength(eventId, 'id', config.limits);
  journeyEvent.event_id =
    eventId === undefined || eventId.trim() === ''
      ? contentEventId(journeyEvent)
      : sourceEventId('tickets', 'zendesk', eventId);
  return ok({ event: journeyEvent, junkIdentifiers: junk });
}
