// The canonical event codec every stage shares: the schema (schemas/journey_event.avsc), the
// Confluent framing (magic byte 0, 4-byte schema id, Avro binary) and the routing key. The ingest
// encodes with it; the journey, the workload, the tools and the benchmark read and write it.
import avro from 'avsc';
import type { Type } from 'avsc';
import { readFileSync } from 'node:fs';
import type { JourneyEvent } from '../generated/avro-types.ts';

const SCHEMA_PATH = new URL('../../../schemas/journey_event.avsc', import.meta.url);

export const journeyEventSchemaText = (): string => readFileSync(SCHEMA_PATH, 'utf8');

export function journeyEventType(): Type {
  return avro.Type.forSchema(JSON.parse(journeyEventSchemaText()) as avro.Schema);
}

export function confluentFrame(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(0, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

let scratch = Buffer.allocUnsafe(64 * 1024);

/** The same bytes as confluentFrame(schemaId, type.toBuffer(value)) with one small allocation
 *  instead of three (avsc zero-fills a fresh buffer per toBuffer, then the frame is concatenated):
 *  the value is encoded after the header in a reused scratch buffer and copied out once. */
export function encodeFramed(type: Type, schemaId: number, value: unknown): Buffer {
  for (;;) {
    scratch.writeUInt8(0, 0);
    scratch.writeUInt32BE(schemaId, 1);
    const end = type.encode(value, scratch, 5);
    if (end >= 0) {
      const out = Buffer.allocUnsafe(end);
      scratch.copy(out, 0, 0, end);
      return out;
    }
    // Too small: avsc returns minus the bytes missing.
    scratch = Buffer.allocUnsafe(2 * (scratch.length - end));
  }
}

/** The routing key: user id, else email hash, else anonymous id, device id, billing customer,
 *  ticket requester, CRM id, account id, and the event id as the last resort. */
export function canonicalKey(event: JourneyEvent): string {
  const ids = event.ids;
  return (
    ids.user_id ??
    ids.email_hash ??
    ids.anonymous_id ??
    ids.device_id ??
    ids.billing_customer_id ??
    ids.ticket_requester_id ??
    ids.crm_id ??
    ids.account_id ??
    event.event_id
  );
}
