// Test helpers shared by the workload tests: collect a stream, encode a message the way the
// producer shell does (JSON text, or Confluent Avro with the schemas/*.avsc writer schemas), and
// run it through the real ingest decode + normalise steps.
import type { Type } from 'avsc';
import { createHash } from 'node:crypto';
import { decodeMessageStep } from '../ingest/decode-message-step.ts';
import type { IngestConfig, NormalisedEvent } from '../ingest/ingest-config.ts';
import { DEFAULT_INGEST_LIMITS } from '../ingest/ingest-config.ts';
import { inputAvroType, toAvroShape } from '../ingest/input-avro.ts';
import { normaliseEventStep } from '../ingest/normalise-event-step.ts';
import type { StepResult } from '../shared/results.ts';
import type { RawMessage, Topic } from './workload-message.ts';
import type { Workload } from './generate-workload.ts';

export const INGEST_CONFIG: IngestConfig = {
  limits: DEFAULT_INGEST_LIMITS,
  pii: { emailHmacKey: 'workload-test-key', keepRawPii: false },
};

export const T0 = Date.UTC(2025, 0, 6);

const SCHEMA_IDS: Record<Topic, number> = { behavior: 11, tickets: 12, surveys: 13, billing: 14 };
const TYPES = new Map<number, Type>(
  (Object.keys(SCHEMA_IDS) as Topic[]).map((topic) => [SCHEMA_IDS[topic], inputAvroType(topic)]),
);

export function collect(workload: Workload): RawMessage[] {
  return [...workload.messages];
}

export function encodeMessage(m: RawMessage): Buffer {
  if (Buffer.isBuffer(m.value)) return m.value;
  if (m.encoding === 'json') return Buffer.from(JSON.stringify(m.value));
  const id = SCHEMA_IDS[m.topic];
  const header = Buffer.alloc(5);
  header.writeUInt32BE(id, 1);
  const type = TYPES.get(id) as Type;
  return Buffer.concat([header, type.toBuffer(toAvroShape(m.topic, m.value as Record<string, unknown>))]);
}

/** sha-256 over every message's topic, key, bytes and times: equal streams, equal digests. */
export function streamDigest(messages: readonly RawMessage[]): string {
  const hash = createHash('sha256');
  for (const m of messages) {
    hash.update(`${m.topic}|${m.key}|${m.eventTimeMs}|${m.sendTimeMs}|${m.malformed ?? ''}|`);
    hash.update(encodeMessage(m));
  }
  return hash.digest('hex');
}

/** What the ingest stage makes of one message (decode, then the topic's normaliser). */
export async function ingest(m: RawMessage): Promise<StepResult<NormalisedEvent>> {
  const decoded = await decodeMessageStep(
    encodeMessage(m),
    async (id) => TYPES.get(id) as Type,
    INGEST_CONFIG.limits,
  );
  if (decoded.kind !== 'ok') return decoded as StepResult<NormalisedEvent>;
  return normaliseEventStep(m.topic, decoded.value.payload, { receivedTime: m.sendTimeMs }, INGEST_CONFIG);
}
