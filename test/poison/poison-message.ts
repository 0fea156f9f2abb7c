// The shape of a poison message and the valid messages it is cut from. Every poison message is a
// valid one (a vendor fixture from services/ingest/fixtures, moved to POISON_RECEIVED_AT_MS)
// changed in its poisoned aspect only, so the reason it gets can only come from that aspect.
import { confluentFrame } from '../../services/shared/kafka/canonical-codec.ts';
import type { InputSource } from '../../services/ingest/ingest-config.ts';
import { inputAvroType, loadFixture, toAvroShape } from '../../services/ingest/fixtures/load-fixture.ts';

export type PoisonSource = InputSource | 'commands';

export interface PoisonMessage {
  /** snake_case name of the poison class. */
  class: string;
  source: PoisonSource;
  value: Buffer | null;
  key?: Buffer | null;
  /** The DLQ reason the pipeline must give, when known. */
  expectedReason?: string;
  /** Hostile but valid: the pipeline must accept it as exactly one canonical event. */
  accepted?: true;
  note: string;
}

export type Json = Record<string, unknown>;

/** The Kafka timestamp every corpus message is received at; base payloads are moved next to it. */
export const POISON_RECEIVED_AT_MS = Date.parse('2026-06-01T12:00:00.000Z');
const iso = (msBefore: number): string => new Date(POISON_RECEIVED_AT_MS - msBefore).toISOString();
const seconds = (msBefore: number): number => Math.floor((POISON_RECEIVED_AT_MS - msBefore) / 1000);

/** Registry ids the corpus frames use (test/poison/poison-ingest.test.ts serves them). */
export const SCHEMA_IDS: Readonly<Record<InputSource, number>> = {
  behavior: 1,
  tickets: 2,
  surveys: 3,
  billing: 4,
};
/** An id the registry does not know, and one whose registered schema avsc cannot parse. */
export const UNKNOWN_SCHEMA_ID = 999;
export const UNPARSEABLE_SCHEMA_ID = 13;

/** A Segment track (segment-track.json); `tag` makes its messageId unique. */
export function behaviorBase(tag: string): Json {
  return {
    ...loadFixture('segment-track.json'),
    messageId: `ajs-${tag}`,
    originalTimestamp: iso(3000),
    timestamp: iso(2000),
    sentAt: iso(2000),
    receivedAt: iso(1000),
  };
}

/** A Zendesk ticket.created (zendesk-ticket-created.json). */
export function ticketBase(tag: string): Json {
  return {
    ...loadFixture('zendesk-ticket-created.json'),
    ticket_id: `t-${tag}`,
    created_at: iso(5000),
    updated_at: iso(5000),
  };
}

/** An NPS answer (survey-nps.json). */
export function surveyBase(tag: string): Json {
  return { ...loadFixture('survey-nps.json'), response_id: `resp-${tag}`, answered_at: iso(60_000) };
}

/** A Stripe invoice.paid (stripe-invoice-paid.json). */
export function invoiceBase(tag: string): Json {
  return { ...loadFixture('stripe-invoice-paid.json'), id: `evt_${tag}`, created: seconds(10_000) };
}

/** A Stripe customer.subscription.created (stripe-customer-subscription-created.json). */
export function subscriptionBase(tag: string): Json {
  return {
    ...loadFixture('stripe-customer-subscription-created.json'),
    id: `evt_${tag}`,
    created: seconds(10_000),
  };
}

/** An operator force-merge command (services/journey/apply-identity-command-step.ts). */
export function commandBase(tag: string): Json {
  return { command: 'force-merge', command_id: `cmd-${tag}`, person_id: 'p-1', other_person_id: 'p-2' };
}

/** `base` with the value at `path` replaced (a deep copy: fixtures are shared). */
export function mutate(base: Json, path: Array<string | number>, value: unknown): Json {
  const copy = structuredClone(base);
  let at = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = value;
  return copy;
}

const NEGATIVE_ZERO = '@@negative_zero@@';

/** JSON text of a payload; -0 is kept as `-0` (JSON.stringify writes it as 0, JSON.parse reads -0). */
export function jsonBytes(value: unknown): Buffer {
  const text = JSON.stringify(value, (_key, v: unknown) => (Object.is(v, -0) ? NEGATIVE_ZERO : v));
  return Buffer.from(text.replaceAll(`"${NEGATIVE_ZERO}"`, '-0'));
}

/** JSON text of a payload with raw text spliced in: each `@@name@@` string (a value, or a key)
 *  becomes raw[name] as is, e.g. a `"__proto__"` key, which no JS object literal can hold as an
 *  own property, or 10,000 levels of nesting. */
export function rawJson(payload: Json, raw: Record<string, string | Buffer>): Buffer {
  const parts: Buffer[] = [];
  let text = jsonBytes(payload).toString('utf8');
  for (;;) {
    const m = /"@@([a-z_]+)@@"/.exec(text);
    if (m === null) break;
    const spliced = raw[m[1]!];
    if (spliced === undefined) throw new Error(`no raw text for @@${m[1]}@@`);
    parts.push(
      Buffer.from(text.slice(0, m.index)),
      Buffer.isBuffer(spliced) ? spliced : Buffer.from(spliced),
    );
    text = text.slice(m.index + m[0].length);
  }
  return Buffer.concat([...parts, Buffer.from(text)]);
}

export const slot = (name: string): string => `@@${name}@@`;

/** The payload as Confluent-framed Avro of its source's input schema. */
export function avroBytes(source: InputSource, payload: Json): Buffer {
  return confluentFrame(SCHEMA_IDS[source], inputAvroType(source).toBuffer(toAvroShape(source, payload)));
}

/** One valid message per source and index, unique ids: the messages poison is interleaved with. */
export function validMessage(source: InputSource, i: number): Buffer {
  const tag = `valid-${i}`;
  const payload =
    source === 'behavior'
      ? behaviorBase(tag)
      : source === 'tickets'
        ? ticketBase(tag)
        : source === 'surveys'
          ? surveyBase(tag)
          : i % 2 === 0
            ? invoiceBase(tag)
            : subscriptionBase(tag);
  return i % 3 === 0 ? avroBytes(source, payload) : jsonBytes(payload);
}
