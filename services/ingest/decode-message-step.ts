// Kafka value bytes -> parsed payload. Accepts the Confluent Avro wire format (magic byte 0,
// 4-byte big-endian schema id, Avro binary) and plain JSON objects. Pure given the injected
// schema lookup: bad bytes are dlq, a schema registry that cannot be reached is retry.
import type { Type } from 'avsc';
import type { StepResult } from '../shared/results.ts';
import { dlq, ok, retry } from '../shared/results.ts';
import { boundAvroBlockCounts } from './bound-avro-blocks.ts';
import type { IngestLimits } from './ingest-config.ts';

/** The lookup's rejection for a schema id the registry does not know (HTTP 404 / error 40403). */
export class UnknownSchemaError extends Error {
  readonly schemaId: number;

  constructor(schemaId: number) {
    super(`schema id ${schemaId} is not registered`);
    this.name = 'UnknownSchemaError';
    this.schemaId = schemaId;
  }
}

/** The lookup's rejection for a schema the registry serves but avsc cannot parse (not JSON, an
 *  unknown type, a bad name ...): asking again gives the same schema, so it is poison, not a fault. */
export class UnparseableSchemaError extends Error {
  readonly schemaId: number;

  constructor(schemaId: number, options?: { cause?: unknown }) {
    const why = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`schema id ${schemaId} is not a schema avsc can parse${why}`, options);
    this.name = 'UnparseableSchemaError';
    this.schemaId = schemaId;
  }
}

/** Resolves a registry schema id to its avsc Type; rejects with UnknownSchemaError for unknown ids,
 *  UnparseableSchemaError for a schema avsc cannot parse, and with any other error for
 *  infrastructure faults (network, 5xx, auth). */
export type LookupSchema = (schemaId: number) => Promise<Type>;

export type DecodedMessage =
  { format: 'avro'; schemaId: number; payload: unknown } | { format: 'json'; payload: unknown };

const CONFLUENT_MAGIC_BYTE = 0;
const CONFLUENT_HEADER_BYTES = 5;
const OPEN_BRACE = 0x7b;
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function isJsonSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function firstContentByte(value: Buffer): number {
  let i = value[0] === UTF8_BOM[0] && value[1] === UTF8_BOM[1] && value[2] === UTF8_BOM[2] ? 3 : 0;
  while (i < value.length && isJsonSpace(value[i] as number)) i++;
  return i;
}

function decodeJson(value: Buffer): StepResult<DecodedMessage> {
  let text: string;
  try {
    text = STRICT_UTF8.decode(value);
  } catch {
    return dlq('invalid_utf8', 'the message is not valid UTF-8');
  }
  try {
    return ok({ format: 'json', payload: JSON.parse(text.replace(/^\uFEFF/, '')) });
  } catch (err) {
    return dlq('invalid_json', (err as Error).message);
  }
}

async function decodeAvro(value: Buffer, lookupSchema: LookupSchema): Promise<StepResult<DecodedMessage>> {
  if (value.length < CONFLUENT_HEADER_BYTES) {
    return dlq('avro_decode_failed', `${value.length} bytes: shorter than the 5-byte Confluent header`);
  }
  const schemaId = value.readUInt32BE(1);
  let type: Type;
  try {
    type = await lookupSchema(schemaId);
  } catch (err) {
    if (err instanceof UnknownSchemaError) return dlq('unknown_schema_id', err.message);
    if (err instanceof UnparseableSchemaError) return dlq('unparseable_writer_schema', err.message);
    return retry('schema_registry_unavailable', err);
  }
  try {
    type = boundAvroBlockCounts(type);
  } catch (err) {
    // Parsing the writer schema again (with bounded array/map readers) fails only for a schema
    // the lookup itself could not have parsed the same way: poison like any unparseable schema.
    return dlq('unparseable_writer_schema', `schema ${schemaId}: ${(err as Error).message}`);
  }
  let decoded: { value: unknown; offset: number };
  try {
    decoded = type.decode(value, CONFLUENT_HEADER_BYTES);
  } catch (err) {
    return dlq('avro_decode_failed', `schema ${schemaId}: ${(err as Error).message}`);
  }
  if (decoded.offset === -1) return dlq('avro_decode_failed', `schema ${schemaId}: truncated Avro body`);
  if (decoded.offset !== value.length) {
    return dlq('avro_decode_failed', `schema ${schemaId}: ${value.length - decoded.offset} trailing bytes`);
  }
  return ok({ format: 'avro', schemaId, payload: decoded.value });
}

/** Step: detect the wire format, enforce maxMessageBytes, decode. */
export async function decodeMessageStep(
  value: Buffer | null,
  lookupSchema: LookupSchema,
  limits: IngestLimits,
): Promise<StepResult<DecodedMessage>> {
  if (value === null || value.length === 0) return dlq('empty_message', 'the message has no value');
  if (value.length > limits.maxMessageBytes) {
    return dlq('message_too_large', `${value.length} bytes, limit ${limits.maxMessageBytes}`);
  }
  if (value[0] === CONFLUENT_MAGIC_BYTE) return decodeAvro(value, lookupSchema);
  const first = firstContentByte(value);
  if (value[first] === OPEN_BRACE) return decodeJson(value);
  const byte = value[first] ?? value[0] ?? 0;
  return dlq(
    'unknown_magic_byte',
    `first byte 0x${byte.toString(16).padStart(2, '0')} is neither Avro magic byte 0 nor '{'`,
  );
}
