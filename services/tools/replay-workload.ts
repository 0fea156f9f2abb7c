// The synthetic workload through the ingest and journey cores in this process, without Kafka:
// the same processIngestBatch and processJourneyBatch the services run, fed in send order with
// the simulated clock, handing each batch's ClickHouse rows to `sink`. Weeks of history for
// thousands of accounts replay in seconds, deterministically — what `journey churn report`
// needs to label enough churners (the services' own Kafka path is tested end to end elsewhere).
import type { PipelineConfig } from '../shared/config/config.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import { journeyEventType } from '../shared/kafka/canonical-codec.ts';
import { DedupWindow } from '../ingest/dedup-window.ts';
import type { InputSource } from '../ingest/ingest-config.ts';
import { processIngestBatch } from '../ingest/ingest-pipeline.ts';
import type { IngestTopology } from '../ingest/ingest-pipeline.ts';
import { ingestConfigFrom } from '../ingest/ingest-service.ts';
import { inputAvroType } from '../ingest/input-avro.ts';
import { createIdentityGraph } from '../identity/identity-core.ts';
import { createAccountStore } from '../journey/account-store.ts';
import { processJourneyBatch } from '../journey/journey-pipeline.ts';
import type { JourneyStageState } from '../journey/journey-pipeline.ts';
import { journeyRows } from '../sink/rows/journey-rows.ts';
import type { RowsByTable } from '../sink/rows/journey-rows.ts';
import { identityConfigFrom, journeyContextFrom, journeyTopologyFrom } from '../journey/journey-service.ts';
import type { AvroTypes } from '../workload/encode-raw-message.ts';
import { encodeRawMessage } from '../workload/encode-raw-message.ts';
import { generateHistory } from '../workload/generate-workload.ts';
import { topicOf } from '../workload/produce-workload.ts';
import type { ProfileName, WorkloadProfile } from '../workload/workload-profile.ts';
import type { GroundTruth } from '../workload/ground-truth.ts';
import type { RawMessage } from '../workload/workload-message.ts';

export interface ReplayOptions {
  profile: ProfileName | WorkloadProfile;
  overrides?: Partial<WorkloadProfile>;
  seed: number;
  startMs: number;
  /** Raw messages per ingest batch (the journey batch is what ingest emits for it). */
  batchSize?: number;
}

export interface ReplaySummary {
  messages: number;
  canonical: number;
  deadLetters: number;
  truth: GroundTruth;
}

const SOURCES: readonly InputSource[] = ['behavior', 'tickets', 'surveys', 'billing'];

/** Local schema ids for the input topics (no registry: the lookup below serves them). */
function localAvroTypes(): AvroTypes {
  const types = {} as AvroTypes;
  SOURCES.forEach((source, i) => (types[source] = { id: i + 1, type: inputAvroType(source) }));
  return types;
}

const asBuffer = (value: Buffer | string | null): Buffer | null =>
  value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value);

function consumed(message: OutboundMessage, offset: number, timestampMs: number): ConsumedMessage {
  const headers: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = asBuffer(v)!;
  return {
    topic: message.topic,
    partition: 0,
    offset: String(offset),
    key: asBuffer(message.key),
    value: asBuffer(message.value),
    headers,
    timestampMs,
  };
}

export async function replayWorkload(
  config: PipelineConfig,
  options: ReplayOptions,
  sink: (rows: RowsByTable) => Promise<void>,
): Promise<ReplaySummary> {
  const workload = generateHistory(options.profile, options.seed, options.startMs, options.overrides);
  const summary = await replayMessages(config, workload.messages, sink, options.batchSize);
  return { ...summary, truth: workload.truth() };
}

/** Any raw messages (in send order) through the ingest and journey cores. */
export async function replayMessages(
  config: PipelineConfig,
  messages: Iterable<RawMessage>,
  sink: (rows: RowsByTable) => Promise<void>,
  batchSize = 500,
): Promise<Omit<ReplaySummary, 'truth'>> {
  const avro = localAvroTypes();
  const typeById = new Map(Object.values(avro).map((t) => [t.id, t.type]));
  const ingestTopology: IngestTopology = {
    sourceByTopic: new Map(SOURCES.map((s) => [topicOf(config, s), s])),
    canonicalTopic: config.TOPIC_CANONICAL,
    dlqTopic: config.TOPIC_DLQ,
    canonicalType: journeyEventType(),
    canonicalSchemaId: 100,
  };
  const journeyTopology = journeyTopologyFrom(config, ingestTopology.canonicalSchemaId);
  const lookup = (id: number) => {
    const type = typeById.get(id);
    return type ? Promise.resolve(type) : Promise.reject(new Error(`no local schema ${id}`));
  };
  const ingestConfig = ingestConfigFrom(config);
  const identityConfig = identityConfigFrom(config);
  const ctx = journeyContextFrom(config);
  const state: JourneyStageState = { graph: createIdentityGraph(), accounts: createAccountStore() };
  const dedup = new DedupWindow({
    maxEntries: Math.max(1, config.INGEST_DEDUP_WINDOW_SIZE),
    maxAgeMs: Math.max(1, config.INGEST_DEDUP_WINDOW_MINUTES) * 60_000,
  });

  const summary = { messages: 0, canonical: 0, deadLetters: 0 };
  let rawOffset = 0;
  let canonicalOffset = 0;
  let batch: ConsumedMessage[] = [];

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const now = batch[batch.length - 1]!.timestampMs;
    const ingested = await processIngestBatch(batch, ingestTopology, ingestConfig, lookup, dedup, now);
    batch = [];
    const canonical = ingested.outputs
      .filter((m) => m.topic === config.TOPIC_CANONICAL)
      .map((m) => consumed(m, canonicalOffset++, now));
    summary.canonical += canonical.length;
    summary.deadLetters += ingested.dlq.length;
    if (canonical.length === 0) return;
    const result = processJourneyBatch(canonical, state, journeyTopology, identityConfig, ctx, now);
    await sink(journeyRows(result.outputs));
  };

  for (const raw of messages) {
    summary.messages++;
    const message: OutboundMessage = {
      topic: topicOf(config, raw.topic),
      key: raw.key,
      value: encodeRawMessage(raw, avro),
    };
    batch.push(consumed(message, rawOffset++, raw.sendTimeMs));
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return summary;
}
