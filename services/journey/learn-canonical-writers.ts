// The canonical topic's writer schemas. Every canonical message is Confluent-framed with the id of
// the schema its ingest wrote it with; during a rolling upgrade that is not always the schema this
// journey reads with. Before a batch is processed, the shell learns each new id once from the
// registry and keeps how to read it: a resolver from that writer schema to ours (Avro schema
// resolution: added fields take their defaults, removed ones are skipped), or why it cannot be read
// (an unknown id, a schema avsc cannot parse, an incompatible change), which dead-letters the
// messages that name it. A registry that does not answer is a transient fault: the batch retries.
import type { Resolver, Type } from 'avsc';
import { TransientFault } from '../shared/bulkhead.ts';
import type { DlqReason } from '../shared/results.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { UnknownSchemaError, UnparseableSchemaError } from '../ingest/decode-message-step.ts';
import type { LookupSchema } from '../ingest/decode-message-step.ts';

export type CanonicalWriter = { resolver: Resolver } | { reason: DlqReason; detail: string };

/** Writer schema id -> how to read it; filled by the shell, read by decodeCanonicalStep. */
export type CanonicalWriters = Map<number, CanonicalWriter>;

/** The schema id of a Confluent-framed message, or null when the frame is not one. */
export const frameSchemaId = (value: Buffer | null): number | null =>
  value !== null && value.length >= 5 && value[0] === 0 ? value.readInt32BE(1) : null;

export async function learnCanonicalWriters(
  messages: readonly ConsumedMessage[],
  readerType: Type,
  readerSchemaId: number,
  lookup: LookupSchema,
  writers: CanonicalWriters,
): Promise<void> {
  const ids = new Set<number>();
  for (const m of messages) {
    const id = frameSchemaId(m.value);
    if (id !== null && id !== readerSchemaId && !writers.has(id)) ids.add(id);
  }
  for (const id of ids) writers.set(id, await readerFor(id, readerType, lookup));
}

async function readerFor(id: number, readerType: Type, lookup: LookupSchema): Promise<CanonicalWriter> {
  let writerType: Type;
  try {
    writerType = await lookup(id);
  } catch (err) {
    if (err instanceof UnknownSchemaError) return { reason: 'unknown_schema_id', detail: err.message };
    if (err instanceof UnparseableSchemaError)
      return { reason: 'unparseable_writer_schema', detail: err.message };
    throw new TransientFault(`schema registry: ${(err as Error).message}`, { cause: err });
  }
  try {
    return { resolver: readerType.createResolver(writerType) };
  } catch (err) {
    return {
      reason: 'avro_decode_failed',
      detail: `writer schema ${id} cannot be read as the canonical schema: ${(err as Error).message}`,
    };
  }
}
