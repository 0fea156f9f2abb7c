// The producer shell's encoding of a generated message: JSON text, or Confluent-framed Avro of the
// topic's input schema (schema ids registered once per run); Buffers (the malformed kinds) as they are.
import type { InputSource } from '../ingest/ingest-config.ts';
import type { inputAvroType } from '../ingest/input-avro.ts';
import { toAvroShape } from '../ingest/input-avro.ts';
import { confluentFrame } from '../shared/kafka/canonical-codec.ts';
import type { RawMessage } from './workload-message.ts';

export type AvroTypes = Record<InputSource, { id: number; type: ReturnType<typeof inputAvroType> }>;

export function encodeRawMessage(message: RawMessage, avro: AvroTypes): Buffer {
  if (Buffer.isBuffer(message.value)) return message.value;
  if (message.encoding === 'json') return Buffer.from(JSON.stringify(message.value));
  const { id, type } = avro[message.topic];
  return confluentFrame(
    id,
    type.toBuffer(toAvroShape(message.topic, message.value as Record<string, unknown>)),
  );
}
