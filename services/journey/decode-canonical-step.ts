// Step: a journey.events.canonical message -> JourneyEvent. The ingest stage wrote it as
// Confluent-framed Avro; a frame naming another schema than ours is read through that writer
// schema (learn-canonical-writers.ts), so a compatible change during a rolling upgrade is not
// poison. Anything else is (DLQ).
import type { Type } from 'avsc';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { StepResult } from '../shared/results.ts';
import { dlq, ok } from '../shared/results.ts';
import type { CanonicalWriter } from './learn-canonical-writers.ts';

export function decodeCanonicalStep(
  value: Buffer | null,
  type: Type,
  writers?: ReadonlyMap<number, CanonicalWriter>,
): StepResult<JourneyEvent> {
  if (value === null || value.length < 6) return dlq('empty_message', 'no canonical event in the message');
  if (value[0] !== 0)
    return dlq('unknown_magic_byte', `first byte 0x${value[0]!.toString(16)} is not the Avro magic byte`);
  const writer = writers?.get(value.readInt32BE(1));
  if (writer && 'reason' in writer) return dlq(writer.reason, writer.detail);
  try {
    const decoded = writer ? type.decode(value, 5, writer.resolver) : type.decode(value, 5);
    if (decoded.offset !== value.length) return dlq('avro_decode_failed', 'truncated or trailing bytes');
    return ok(decoded.value as JourneyEvent);
  } catch (err) {
    return dlq('avro_decode_failed', (err as Error).message);
  }
}
