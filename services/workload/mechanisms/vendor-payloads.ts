// The vendors' own webhook bodies for the churn-mechanism workloads, built from the documented
// examples in services/ingest/fixtures/ with only the fields that vary replaced: Zendesk event
// webhooks (ticket.created, user.created), Delighted survey_response.created, Typeform
// form_response. Segment calls and
// Stripe events come from the main generator's builders (segment-messages.ts, billing-payload.ts),
// which already follow the vendors' specs.
import { readFileSync } from 'node:fs';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../ingest/fixtures/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

const ZENDESK_TICKET = fixture('zendesk-event-ticket-created.json');
const ZENDESK_USER = fixture('zendesk-event-user-created.json');
const DELIGHTED = fixture('delighted-survey-response-updated.json');
const TYPEFORM = fixture('typeform-form-response.json');

const iso = (ms: number): string => new Date(ms).toISOString();
const clone = (o: Record<string, unknown>): Record<string, unknown> =>
  structuredClone(o) as Record<string, unknown>;

export type ZendeskPriority = 'LOW' | 'NORMAL' | 'HIGH' | 'URGENT';

/** zen:event-type:user.created: the Zendesk user whose external_id is the product's user id. */
export function zendeskUserCreated(input: {
  eventId: string;
  requesterId: string;
  userId: string;
  email: string;
  atMs: number;
}): Record<string, unknown> {
  const body = clone(ZENDESK_USER);
  const detail = body['detail'] as Record<string, unknown>;
  Object.assign(detail, {
    id: input.requesterId,
    external_id: input.userId,
    email: input.email,
    created_at: iso(input.atMs).replace(/\.\d+Z$/, 'Z'),
    updated_at: iso(input.atMs).replace(/\.\d+Z$/, 'Z'),
  });
  return Object.assign(body, {
    id: input.eventId,
    subject: `zen:user:${input.requesterId}`,
    time: iso(input.atMs),
  });
}

/** zen:event-type:ticket.created for a ticket the requester opened. */
export function zendeskTicketCreated(input: {
  eventId: string;
  ticketId: string;
  requesterId: string;
  priority: ZendeskPriority;
  subject: string;
  atMs: number;
}): Record<string, unknown> {
  const body = clone(ZENDESK_TICKET);
  const detail = body['detail'] as Record<string, unknown>;
  const at = iso(input.atMs).replace(/\.\d+Z$/, 'Z');
  Object.assign(detail, {
    id: input.ticketId,
    requester_id: input.requesterId,
    submitter_id: input.requesterId,
    priority: input.priority,
    subject: input.subject,
    description: input.subject,
    created_at: at,
    updated_at: at,
  });
  return Object.assign(body, {
    id: input.eventId,
    subject: `zen:ticket:${input.ticketId}`,
    time: iso(input.atMs),
  });
}

/** Delighted survey_response.created: an NPS answer, the product ids in person_properties. */
export function delightedNpsResponse(input: {
  eventId: string;
  responseId: string;
  personId: string;
  email: string;
  userId: string;
  accountId: string;
  score: number;
  comment: string | null;
  atMs: number;
}): Record<string, unknown> {
  const body = clone(DELIGHTED);
  const data = body['event_data'] as Record<string, unknown>;
  const seconds = Math.floor(input.atMs / 1000);
  Object.assign(data, {
    id: input.responseId,
    person: { id: input.personId, email: input.email, name: null, created_at: seconds - 86_400 },
    survey_type: 'nps',
    score: input.score,
    comment: input.comment,
    created_at: seconds,
    updated_at: seconds,
    person_properties: { user_id: input.userId, account_id: input.accountId },
  });
  return Object.assign(body, { event_type: 'survey_response.created', event_id: input.eventId });
}

/** Typeform form_response: Typeform's documented example, its opinion-scale question given the ref
 * `csat` (a form owner's choice: a scale alone does not say what it measures), the product ids in
 * hidden fields. */
export function typeformCsatResponse(input: {
  eventId: string;
  token: string;
  userId: string;
  accountId: string;
  score: number;
  atMs: number;
}): Record<string, unknown> {
  const body = clone(TYPEFORM);
  const response = body['form_response'] as Record<string, unknown> & {
    definition: { fields: Array<Record<string, unknown>> };
    answers: Array<Record<string, unknown> & { field: { id: string } }>;
  };
  const scale = 'NRsxU591jIW9';
  for (const field of response.definition.fields) if (field['id'] === scale) field['ref'] = 'csat';
  for (const answer of response.answers) if (answer.field.id === scale) answer['number'] = input.score;
  Object.assign(response, {
    token: input.token,
    landed_at: iso(input.atMs - 120_000).replace(/\.\d+Z$/, 'Z'),
    submitted_at: iso(input.atMs).replace(/\.\d+Z$/, 'Z'),
    hidden: { user_id: input.userId, account_id: input.accountId },
  });
  return Object.assign(body, { event_id: input.eventId });
}
