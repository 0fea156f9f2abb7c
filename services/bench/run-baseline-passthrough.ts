// B1, passthrough: B0 plus a ClickHouse write with the pipeline's batch and flush policy — one
// JSONEachRow insert per consumed batch through the sink's own writeBatch (dedup token, retries),
// committed after the insert is acknowledged. No normalisation, identity or state: the decoded
// payload is stored as it came. The headline figure is ours / B1.
import type { ClickHouseClient } from '@clickhouse/client';
import type { PipelineConfig } from '../shared/config/config.ts';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import { runBatchConsumer } from '../shared/kafka/batch-consumer.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import { writeBatch } from '../sink/write-rows.ts';
import { rawDecoder, rawTopics } from './run-baseline-consume.ts';
import type { WorkerProgress } from './worker-progress.ts';

export const PASSTHROUGH_TABLE = 'bench_passthrough';
export const CEILING_TABLE = 'bench_ceiling';

/** B1's table and B2's copy of it, in the run's database (created before the baselines run). */
export async function createBaselineTables(client: ClickHouseClient, database: string): Promise<void> {
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  for (const table of [PASSTHROUGH_TABLE, CEILING_TABLE]) {
    await client.command({
      query: `CREATE TABLE IF NOT EXISTS ${database}.${table} (
        topic LowCardinality(String), partition UInt16, offset UInt64, key String,
        event_time DateTime64(3, 'UTC'), payload String
      ) ENGINE = MergeTree ORDER BY (topic, partition, offset)
      SETTINGS non_replicated_deduplication_window = 10000`,
    });
  }
}

/** The same, through a client of its own opened on `config` (B1's run, a relay's run). */
export async function prepareBaselineTables(config: PipelineConfig): Promise<void> {
  const admin = createClickHouse(config, { database: null });
  try {
    await createBaselineTables(admin, config.CLICKHOUSE_DATABASE);
  } finally {
    await admin.close();
  }
}

export async function startPassthroughBaseline(
  config: PipelineConfig,
  log: Logger,
  progress: WorkerProgress,
  /** What it reads (default: the raw topics, as B1): a relay's last hop reads the previous hop's. */
  input: { topics: string[]; groupId: string; partitionsConcurrently?: number } = {
    topics: rawTopics(config),
    groupId: `${config.INGEST_GROUP_ID}-passthrough`,
  },
): Promise<{ stop(): Promise<void>; joined: Promise<void> }> {
  const decode = rawDecoder(config);
  const clickhouse = createClickHouse(config, { log });
  const running = await runBatchConsumer({
    kafka: createKafka(config, `${config.KAFKA_CLIENT_ID}-bench-passthrough`, log),
    groupId: input.groupId,
    topics: input.topics,
    partitionsConcurrently: input.partitionsConcurrently ?? 1,
    stage: 'bench_passthrough',
    log,
    handler: async (batch) => {
      progress.started();
      const rows: object[] = [];
      for (const m of batch.messages) {
        const decoded = await decode(m.value);
        if (decoded.kind !== 'ok') continue;
        rows.push({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key?.toString('utf8') ?? '',
          event_time: new Date(m.timestampMs).toISOString(),
          payload: JSON.stringify(decoded.value.payload),
        });
      }
      await writeBatch(clickhouse, new Map([[PASSTHROUGH_TABLE, rows]]), {
        database: config.CLICKHOUSE_DATABASE,
        origin: {
          topic: batch.topic,
          partition: batch.partition,
          firstOffset: batch.messages[0]!.offset,
          lastOffset: batch.messages[batch.messages.length - 1]!.offset,
        },
      });
      progress.add(batch.messages.length);
    },
  });
  return {
    joined: running.joined,
    stop: async () => {
      await running.stop();
      await clickhouse.close();
    },
  };
}
