// What the collector does with one request, apart from the network: which vendor it is, whether
// the vendor proved it, and the raw messages it becomes (each to the raw topic of its source,
// keyed as the ingest expects: by the account the body names, else its person). Pure: the shell
// (collector-service.ts) reads the body, rate-limits, writes the messages and answers.
import { createHash } from 'node:crypto';
import type { COLLECTOR_SOURCES } from '../shared/config/config.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import { splitSegmentBatch } from '../ingest/split-segment-batch.ts';
import type { InputSource } from '../ingest/ingest-config.ts';
import {
  basicAuth,
  basicAuthUser,
  oneOf,
  verifyStripe,
  verifyToken,
  verifyTypeform,
  verifyZendesk,
} from './verify-signatures.ts';
import type { Verdict } from './verify-signatures.ts';

export type CollectorSource = (typeof COLLECTOR_SOURCES)[number];

export interface CollectorRules {
  topics: Record<InputSource, string>;
  segmentWriteKeys: readonly string[];
  stripeSecrets: readonly string[];
  stripeToleranceSeconds: number;
  zendeskSecrets: readonly string[];
  typeformSecrets: readonly string[];
  delightedTokens: readonly string[];
  maxBatchEvents: number;
}

export interface CollectInput {
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** The body as received, gzip undone. */
  body: Buffer;
  nowMs: number;
  requestId: string;
}

export type CollectOutcome =
  | {
      status: 200;
      source: CollectorSource;
      /** Who the request speaks for (a write key's index, or the source): the rate limit's key. */
      caller: string;
      messages: OutboundMessage[];
      response: string;
    }
  | { status: 400 | 401 | 404 | 413; source: CollectorSource | null; reason: string; message: string };

const SEGMENT_CALLS = new Set(['track', 'identify', 'page', 'screen', 'group', 'alias']);
const SEGMENT_BATCHES = new Set(['batch', 'import']);

export const SOURCE_TOPIC: Record<CollectorSource, InputSource> = {
  segment: 'behavior',
  stripe: 'billing',
  zendesk: 'tickets',
  delighted: 'surveys',
  typeform: 'surveys',
};

/** A Segment batch endpoint (`/v1/batch`, `/v1/import`): its body limit is a batch's, not a call's. */
export const isSegmentBatch = (path: string): boolean =>
  SEGMENT_BATCHES.has(/^\/v1\/([a-z]+)\/?$/.exec(path)?.[1] ?? '');

/** The source a path belongs to, or null (404). */
export function routeOf(path: string): CollectorSource | null {
  const segment = /^\/v1\/([a-z]+)\/?$/.exec(path);
  if (segment && (SEGMENT_CALLS.has(segment[1]!) || SEGMENT_BATCHES.has(segment[1]!))) return 'segment';
  const webhook = /^\/webhooks\/([a-z]+)\/?$/.exec(path);
  const name = webhook?.[1];
  return name === 'stripe' || name === 'zendesk' || name === 'delighted' || name === 'typeform' ? name : null;
}

const header = (input: CollectInput, name: string): string | undefined => {
  const value = input.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const idOf = (v: unknown): string | null =>
  typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : null;
const at = (v: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), v);

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

const rejected = (
  status: 400 | 401 | 404 | 413,
  source: CollectorSource | null,
  reason: string,
  message: string,
): CollectOutcome => ({ status, source, reason, message });

function authFailure(source: CollectorSource, verdict: Verdict & { ok: false }): CollectOutcome {
  // A signature that does not match is the vendor's documented 400 (Stripe); a missing credential
  // or an unknown key is 401.
  const status =
    verdict.reason === 'signature_mismatch' || verdict.reason === 'signature_expired' ? 400 : 401;
  return rejected(status, source, verdict.reason, `${source}: ${verdict.reason.replace('_', ' ')}`);
}

export function collectRequest(input: CollectInput, rules: CollectorRules): CollectOutcome {
  const source = routeOf(input.path);
  if (!source) return rejected(404, null, 'unknown_path', `no collector endpoint at ${input.path}`);
  if (source === 'segment') return collectSegment(input, rules);
  const verdict = verifyWebhook(source, input, rules);
  if (!verdict.ok) return authFailure(source, verdict);
  const parsed = parseJson(input.body);
  if (!parsed.ok || !isObject(parsed.value))
    return rejected(400, source, 'invalid_json', `${source}: the body is not a JSON object`);
  const message = rawMessage(
    rules.topics[SOURCE_TOPIC[source]],
    webhookKey(source, parsed.value),
    input.body,
    requestHeaders(source, input),
  );
  return { status: 200, source, caller: source, messages: [message], response: '{"received":true}' };
}

function verifyWebhook(source: CollectorSource, input: CollectInput, rules: CollectorRules): Verdict {
  switch (source) {
    case 'stripe':
      return verifyStripe(
        header(input, 'stripe-signature'),
        input.body,
        rules.stripeSecrets,
        Math.floor(input.nowMs / 1000),
        rules.stripeToleranceSeconds,
      );
    case 'zendesk':
      return verifyZendesk(
        header(input, 'x-zendesk-webhook-signature'),
        header(input, 'x-zendesk-webhook-signature-timestamp'),
        input.body,
        rules.zendeskSecrets,
      );
    case 'typeform':
      return verifyTypeform(header(input, 'typeform-signature'), input.body, rules.typeformSecrets);
    default:
      return verifyToken(
        input.query.get('token') ?? (basicAuth(header(input, 'authorization'))?.password || null),
        rules.delightedTokens,
      );
  }
}

/** The key the ingest expects: the account the body names, else the person (or object). */
function webhookKey(source: CollectorSource, body: Json): string | null {
  switch (source) {
    case 'stripe': {
      const object = at(body, 'data', 'object');
      return (
        idOf(at(object, 'metadata', 'account_id')) ??
        idOf(at(object, 'customer')) ??
        (at(object, 'object') === 'customer' ? idOf(at(object, 'id')) : null) ??
        idOf(body['id'])
      );
    }
    case 'zendesk':
      return (
        idOf(at(body, 'organization', 'external_id')) ??
        idOf(at(body, 'detail', 'requester_id')) ??
        idOf(at(body, 'requester', 'id')) ??
        idOf(at(body, 'detail', 'id')) ??
        idOf(body['ticket_id'])
      );
    case 'delighted':
      return idOf(at(body, 'event_data', 'person', 'id')) ?? idOf(body['event_id']);
    default:
      return (
        idOf(at(body, 'form_response', 'hidden', 'account_id')) ??
        idOf(at(body, 'form_response', 'hidden', 'user_id')) ??
        idOf(at(body, 'form_response', 'token')) ??
        idOf(body['event_id'])
      );
  }
}

/** The headers every message of a request carries, encoded once per request. */
function requestHeaders(source: CollectorSource, input: CollectInput): Record<string, Buffer> {
  return {
    'journey-source': Buffer.from(source),
    'journey-received-at': Buffer.from(new Date(input.nowMs).toISOString()),
    'journey-request-id': Buffer.from(input.requestId),
  };
}

const rawMessage = (
  topic: string,
  key: string | null,
  value: Buffer | string,
  headers: Record<string, Buffer>,
): OutboundMessage => ({ topic, key, value, headers });

function collectSegment(input: CollectInput, rules: CollectorRules): CollectOutcome {
  const parsed = parseJson(input.body);
  const body = parsed.ok && isObject(parsed.value) ? parsed.value : null;
  // The write key: basic auth, else `writeKey` in the body (clients that cannot set headers).
  const writeKey = basicAuthUser(header(input, 'authorization')) ?? idOf(body?.['writeKey']);
  if (rules.segmentWriteKeys.length === 0)
    return authFailure('segment', { ok: false, reason: 'not_configured' });
  if (!writeKey) return authFailure('segment', { ok: false, reason: 'write_key_missing' });
  if (!oneOf(writeKey, rules.segmentWriteKeys))
    return authFailure('segment', { ok: false, reason: 'write_key_unknown' });
  if (!body) return rejected(400, 'segment', 'invalid_json', 'segment: the body is not a JSON object');
  const name = /^\/v1\/([a-z]+)/.exec(input.path)![1]!;
  // The write key is a credential: it is never written to Kafka.
  const { writeKey: _omitted, ...rest } = body;
  let calls: unknown[];
  if (SEGMENT_BATCHES.has(name)) {
    const split = splitSegmentBatch(rest);
    if (!split) return rejected(400, 'segment', 'invalid_batch', 'segment: a batch needs a `batch` array');
    if (split.length > rules.maxBatchEvents)
      return rejected(
        413,
        'segment',
        'too_many_events',
        `segment: ${split.length} calls in one batch, at most ${rules.maxBatchEvents}`,
      );
    // A call that is not an object still becomes a message: the ingest dead-letters it with its
    // reason, where an operator sees it (one bad call does not refuse its whole batch).
    calls = split.map((call, i) => (call.kind === 'call' ? call.payload : (rest['batch'] as unknown[])[i]));
  } else {
    calls = [{ type: name, ...rest }];
  }
  const receivedAt = new Date(input.nowMs).toISOString();
  const topic = rules.topics.behavior;
  const headers = requestHeaders('segment', input);
  const messages = calls.map((call) => {
    if (!isObject(call)) return rawMessage(topic, null, JSON.stringify(call) ?? 'null', headers);
    // What Segment's API adds on receipt: the server's receive time (the ingest corrects the
    // device clock with receivedAt - sentAt) and a messageId when the library sent none (from the
    // call's content: a retried request gets the same id, so the ingest drops the duplicate).
    const stamped: Json = { ...call, receivedAt: call['receivedAt'] ?? receivedAt };
    if (stamped['messageId'] === undefined)
      stamped['messageId'] =
        `collector-${createHash('sha256').update(JSON.stringify(call)).digest('hex').slice(0, 32)}`;
    return rawMessage(topic, segmentKey(stamped), JSON.stringify(stamped), headers);
  });
  const caller = `segment:${rules.segmentWriteKeys.findIndex((k) => oneOf(writeKey, [k]))}`;
  return { status: 200, source: 'segment', caller, messages, response: '{"success":true}' };
}

function segmentKey(call: Json): string | null {
  return (
    idOf(at(call, 'context', 'groupId')) ??
    (call['type'] === 'group' ? idOf(call['groupId']) : null) ??
    idOf(call['userId']) ??
    idOf(call['anonymousId'])
  );
}
