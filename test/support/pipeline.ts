// A whole pipeline configuration on fresh random topics, group ids and a fresh ClickHouse
// database, with the topics created and the database migrated.
import { loadConfig } from '../../services/shared/config/config.ts';
import type { PipelineConfig } from '../../services/shared/config/config.ts';
import { createKafka } from '../../services/shared/kafka/kafka-client.ts';
import { ensureTopics } from '../../services/shared/kafka/topics.ts';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import { migrate } from '../../services/sink/migrate.ts';
import { pipelineTopics, prefixedTopicEnv } from '../../services/shared/kafka/pipeline-topics.ts';
import { uniqueName } from './stack.ts';

export async function freshPipeline(
  overrides: Record<string, string> = {},
): Promise<{ env: Record<string, string | undefined>; config: PipelineConfig }> {
  const prefix = uniqueName('p');
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...prefixedTopicEnv(prefix),
    TOPIC_PARTITIONS: '2',
    // Raw partitions idle soon after a test stops producing: the watermark is not held for long.
    INGEST_IDLE_SECONDS: '2',
    CLICKHOUSE_DATABASE: prefix.replace(/[^A-Za-z0-9_]/g, '_'),
    PII_HMAC_KEY: 'integration-test-hmac-key-0123456789',
    LOG_LEVEL: 'silent',
    ...overrides,
  };
  const config = loadConfig(env);
  await ensureTopics(createKafka(config, 'test-setup'), pipelineTopics(config));
  const clickhouse = createClickHouse(config, { database: null });
  try {
    await migrate(clickhouse, {
      database: config.CLICKHOUSE_DATABASE,
      retentionDays: config.CLICKHOUSE_RETENTION_DAYS,
    });
  } finally {
    await clickhouse.close();
  }
  return { env, config };
}
