// B0, consume-only: the raw topics through the same kafkajs batch consumer the stages use
// (eachBatch, one partition at a time, commit after each batch), each message decoded by the ingest
// stage's own decode step (Confluent Avro through the registry, or JSON), then discarded.
import type { PipelineConfig } from '../shared/config/config.ts';
import { runBatchConsumer } from '../shared/kafka/batch-consumer.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import { decodeMessageStep } from '../ingest/decode-message-step.ts';
import { ingestConfigFrom } from '../ingest/ingest-service.ts';
import { registryLookup } from '../ingest/lookup-registry-schema.ts';
import type { WorkerProgress } from './worker-progress.ts';

export const rawTopics = (config: PipelineConfig): string[] => [
  config.TOPIC_BEHAVIOR,
  config.TOPIC_TICKETS,
  config.TOPIC_SURVEYS,
  config.TOPIC_BILLING,
];

export function rawDecoder(
  config: PipelineConfig,
): (value: Buffer | null) => ReturnType<typeof decodeMessageStep> {
  const lookup = registryLookup({
    url: config.SCHEMA_REGISTRY_URL,
    username: config.SCHEMA_REGISTRY_USERNAME,
    password: config.SCHEMA_REGISTRY_PASSWORD,
  });
  const limits = ingestConfigFrom(config).limits;
  return (value) => decodeMessageStep(value, lookup, limits);
}

export async function startConsumeBaseline(
  config: PipelineConfig,
  log: Logger,
  progress: WorkerProgress,
): Promise<{ stop(): Promise<void>; joined: Promise<void> }> {
  const decode = rawDecoder(config);
  return runBatchConsumer({
    kafka: createKafka(config, `${config.KAFKA_CLIENT_ID}-bench-consume`, log),
    groupId: `${config.INGEST_GROUP_ID}-consume`,
    topics: rawTopics(config),
    stage: 'bench_consume',
    log,
    handler: async (batch) => {
      progress.started();
      for (const m of batch.messages) await decode(m.value);
      progress.add(batch.messages.length);
    },
  });
}
