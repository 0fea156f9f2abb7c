// A link fact on the wire (docs/architecture.md, step 3): what the ingest sends to the identity
// links topic for an event the link-fact filter admits, and what the resolver reads back. It
// carries exactly what `resolve` reads from an event — its id, source, type and name, its times
// and its identifiers — and nothing of its payload. The raw email (kept only with
// PII_KEEP_RAW) is not an identifier the graph uses and never leaves the canonical event.
// Value: compact JSON {"e":id,"s":source,"t":type,"n":name,"at":event time,"rt":received time,
// "ids":{non-empty identifiers}}; key: the event id.
import type { EventSource, Identifiers, JourneyEvent } from '../shared/generated/avro-types.ts';
import { newJourneyEvent, noIdentifiers } from '../ingest/new-journey-event.ts';

const SOURCES: ReadonlySet<string> = new Set<EventSource>(['behavior', 'tickets', 'surveys', 'billing']);
const ID_FIELDS = Object.keys(noIdentifiers()).filter((field) => field !== 'email') as Array<
  keyof Identifiers
>;

export function encodeLinkFact(event: JourneyEvent): { key: string; value: string } {
  const ids: Partial<Record<keyof Identifiers, string>> = {};
  for (const field of ID_FIELDS) {
    const value = event.ids[field];
    if (value !== null) ids[field] = value;
  }
  return {
    key: event.event_id,
    value: JSON.stringify({
      e: event.event_id,
      s: event.source,
      t: event.type,
      n: event.name,
      at: event.event_time,
      rt: event.received_time,
      ids,
    }),
  };
}

export type DecodedLinkFact = { kind: 'ok'; event: JourneyEvent } | { kind: 'invalid'; detail: string };

/** The event the fact came from, with every field `resolve` does not read left empty. */
export function decodeLinkFact(value: Buffer | string | null): DecodedLinkFact {
  if (value === null) return { kind: 'invalid', detail: 'empty link fact' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch (err) {
    return { kind: 'invalid', detail: `link fact is not JSON: ${(err as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null)
    return { kind: 'invalid', detail: 'link fact is not an object' };
  const f = parsed as Record<string, unknown>;
  if (typeof f.e !== 'string' || typeof f.t !== 'string' || typeof f.n !== 'string')
    return { kind: 'invalid', detail: 'link fact without id, type or name' };
  if (typeof f.s !== 'string' || !SOURCES.has(f.s))
    return { kind: 'invalid', detail: `link fact with unknown source ${String(f.s)}` };
  if (!Number.isSafeInteger(f.at) || !Number.isSafeInteger(f.rt))
    return { kind: 'invalid', detail: 'link fact without its times' };
  if (typeof f.ids !== 'object' || f.ids === null)
    return { kind: 'invalid', detail: 'link fact without ids' };
  const ids = noIdentifiers();
  for (const [field, id] of Object.entries(f.ids as Record<string, unknown>)) {
    if (!(ID_FIELDS as string[]).includes(field) || typeof id !== 'string')
      return { kind: 'invalid', detail: `link fact with an unknown identifier ${field}` };
    ids[field as keyof Identifiers] = id;
  }
  const event = newJourneyEvent({
    source: f.s as EventSource,
    type: f.t,
    name: f.n,
    event_time: f.at as number,
    received_time: f.rt as number,
    ids,
  });
  return { kind: 'ok', event: { ...event, event_id: f.e } };
}
