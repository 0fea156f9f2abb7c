// The workload generator's producer shell: registers the raw input schemas, encodes each generated
// message (JSON, or Confluent Avro through the registry), and sends them in batches to the raw
// topics with a produce-time header (for latency measurement). Returns what the pipeline must
// end up with, from the generator's ground truth.
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { CompressionTypes } from 'kafkajs';
import type { PipelineConfig } from '../shared/config/config.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import { rawTopicMaxBytes } from '../shared/kafka/message-limits.ts';
import { schemaRegistry } from '../ingest/ingest-service.ts';
import { inputAvroType, inputSchemaText } from '../ingest/input-avro.ts';
import type { InputSource } from '../ingest/ingest-config.ts';
import { encodeRawMessage } from './encode-raw-message.ts';
import type { AvroTypes } from './encode-raw-message.ts';
import { generateHistory } from './generate-workload.ts';
import type { GroundTruth } from './ground-truth.ts';
import { resolveProfile } from './workload-profile.ts';
import type { ProfileName } from './workload-profile.ts';

const DAY_MS = 86_400_000;
const SOURCES: InputSource[] = ['behavior', 'tickets', 'surveys', 'billing'];

export interface ProduceOptions {
  profile: string;
  seed: number;
  /** The history ends here (now, for the demo). */
  endMs: number;
  batchSize?: number;
  /** Collect the event ids of the valid messages (tests compare them with ClickHouse). */
  collectEventIds?: boolean;
}

export interface ProduceSummary {
  sent: number;
  expectedEvents: number;
  expectedDlq: number;
  duplicates: number;
  truth: GroundTruth;
  eventIds: Set<string>;
  /** Malformed deliveries, re-sends of malformed messages included (each is dead-lettered). */
  malformedDeliveries: number;
}

export function topicOf(config: PipelineConfig, source: InputSource): string {
  return {
    behavior: config.TOPIC_BEHAVIOR,
    tickets: config.TOPIC_TICKETS,
    surveys: config.TOPIC_SURVEYS,
    billing: config.TOPIC_BILLING,
  }[source];
}

export async function registerInputSchemas(config: PipelineConfig): Promise<AvroTypes> {
  const registry = schemaRegistry(config);
  const types = {} as AvroTypes;
  for (const source of SOURCES) {
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: inputSchemaText(source) },
      { subject: `${topicOf(config, source)}-value` },
    );
    types[source] = { id, type: inputAvroType(source) };
  }
  return types;
}

export async function produceWorkload(
  config: PipelineConfig,
  options: ProduceOptions,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<ProduceSummary> {
  const profile = resolveProfile(options.profile as ProfileName);
  const startMs = options.endMs - profile.historyDays * DAY_MS;
  const workload = generateHistory(profile, options.seed, startMs);
  const avro = await registerInputSchemas(config);
  const producer = createKafka(config, `${config.KAFKA_CLIENT_ID}-workload`).producer({
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const batchSize = options.batchSize ?? 1000;
  // The broker refuses a partition's record batch over the topic's max.message.bytes, and one
  // request carries each partition's messages as one batch: the oversized poison messages
  // (message_too_large, up to twice the ingest limit) must not share one. A request is capped
  // by its bytes as well as its count, with room for the records' framing.
  const maxRequestBytes = rawTopicMaxBytes(config.INGEST_MAX_MESSAGE_BYTES) - 65_536;
  let pendingBytes = 0;
  let pending: Array<{
    topic: string;
    key: string;
    value: Buffer;
    timestamp: string;
    headers: Record<string, string>;
  }> = [];
  let sent = 0;
  let malformedDeliveries = 0;
  const eventIds = new Set<string>();
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const byTopic = new Map<string, typeof pending>();
    for (const m of pending) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
    await producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, messages]) => ({
        topic,
        messages: messages.map(({ key, value, timestamp, headers }) => ({ key, value, timestamp, headers })),
      })),
    });
    sent += pending.length;
    pending = [];
    pendingBytes = 0;
  };
  try {
    for (const message of workload.messages) {
      if (message.malformed) malformedDeliveries++;
      else if (options.collectEventIds && message.eventId) eventIds.add(message.eventId);
      const value = encodeRawMessage(message, avro);
      const bytes = value.length + Buffer.byteLength(message.key) + 64;
      if (pendingBytes + bytes > maxRequestBytes) await flush();
      pendingBytes += bytes;
      pending.push({
        topic: topicOf(config, message.topic),
        key: message.key,
        value,
        timestamp: String(message.sendTimeMs),
        headers: { produced_at: String(Date.now()) },
      });
      if (pending.length >= batchSize) {
        await flush();
        onProgress(Math.floor((message.sendTimeMs - startMs) / DAY_MS), profile.historyDays);
      }
    }
    await flush();
    onProgress(profile.historyDays, profile.historyDays);
  } finally {
    await producer.disconnect();
  }
  const truth = workload.truth();
  return {
    sent,
    expectedEvents: truth.distinctValidEventIds,
    expectedDlq: malformedDeliveries,
    duplicates: truth.messages.duplicates,
    truth,
    eventIds,
    malformedDeliveries,
  };
}
