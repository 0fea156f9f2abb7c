// Topics and databases of one benchmark invocation: created fresh (raw topics kept for the whole
// invocation, without time retention, since the generator's Kafka timestamps are in the past),
// and removed at the end unless --keep.
import type { Kafka } from 'kafkajs';
import type { PipelineConfig } from '../shared/config/config.ts';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import { ensureTopics } from '../shared/kafka/topics.ts';
import { pipelineTopics } from '../shared/kafka/pipeline-topics.ts';
import { migrate } from '../sink/migrate.ts';
import { topicOf } from '../workload/produce-workload.ts';
import type { BenchEnv } from './bench-config.ts';
import { runConfig } from './bench-config.ts';
import { prepareWorkload } from './prepare-workload.ts';
import type { PacedSetup } from './run-paced.ts';

const RAW_SOURCES = 4;

export async function createRawTopics(kafka: Kafka, config: PipelineConfig): Promise<void> {
  const raw = pipelineTopics(config).slice(0, RAW_SOURCES);
  await ensureTopics(
    kafka,
    raw.map((spec) => ({ ...spec, retentionMs: -1 })),
  );
}

/** The run's downstream topics and its migrated ClickHouse database. */
export async function preparePipelineRun(kafka: Kafka, config: PipelineConfig): Promise<void> {
  await ensureTopics(kafka, pipelineTopics(config).slice(RAW_SOURCES));
  const admin = createClickHouse(config, { database: null });
  try {
    await migrate(admin, {
      database: config.CLICKHOUSE_DATABASE,
      retentionDays: config.CLICKHOUSE_RETENTION_DAYS,
    });
  } finally {
    await admin.close();
  }
}

/** A paced phase's fresh raw and downstream topics and migrated database (named by `env`), with
 *  the input schemas registered under its subjects (the ids are the same: same schema text). */
export async function preparePacedPhase(
  kafka: Kafka,
  env: BenchEnv,
  workload: { profile: string; seed: number },
): Promise<PacedSetup> {
  const config = runConfig(env);
  await createRawTopics(kafka, config);
  await preparePipelineRun(kafka, config);
  await prepareWorkload(config, { ...workload, events: 1, endMs: Date.now() });
  return { env, config, topicOf: (source) => topicOf(config, source) };
}

/** Deletes every topic whose name starts with `prefix` and the given databases. */
export async function removeBenchData(
  kafka: Kafka,
  config: PipelineConfig,
  prefix: string,
  databases: readonly string[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
  const clickhouse = createClickHouse(config, { database: null });
  try {
    for (const db of databases) await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  } finally {
    await clickhouse.close();
  }
}

/** High watermark per partition of `topic`. */
export async function highWatermarks(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * True when the journey stage has read every canonical message: its last processed offset is
 * within the one transaction marker of each partition's end.
 */
export function caughtUp(
  high: ReadonlyMap<number, bigint>,
  positions: Readonly<Record<string, string>>,
  topic: string,
): boolean {
  for (const [partition, end] of high) {
    if (end === 0n) continue;
    const last = positions[`${topic}:${partition}`];
    if (last === undefined || BigInt(last) + 2n < end) return false;
  }
  return true;
}
