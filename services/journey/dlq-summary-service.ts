// Mirrors the dead-letter topic into ClickHouse dlq_events (reason, step, source coordinates,
// size) for the DLQ dashboard; the bytes stay in the topic for replay-dlq.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Kafka } from 'kafkajs';
import type { PipelineConfig } from '../shared/config/config.ts';
import { runBatchConsumer } from '../shared/kafka/batch-consumer.ts';
import type { RunningConsumer } from '../shared/kafka/batch-consumer.ts';
import { readDeadLetterHeaders } from '../shared/kafka/dead-letter.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import type { PipelineMetrics } from '../shared/telemetry/metrics.ts';
import { writeRows } from '../sink/write-rows.ts';

export async function startDlqSummary(
  config: PipelineConfig,
  kafka: Kafka,
  clickhouse: ClickHouseClient,
  log: Logger,
  metrics: PipelineMetrics,
): Promise<RunningConsumer> {
  return runBatchConsumer({
    kafka,
    groupId: `${config.JOURNEY_GROUP_ID}-dlq-summary`,
    topics: [config.TOPIC_DLQ],
    stage: 'dlq-summary',
    log,
    metrics,
    handler: async (batch) => {
      const rows = batch.messages.map((message) => {
        const letter = readDeadLetterHeaders(message.headers);
        return {
          reason: letter.reason,
          step: letter.step,
          detail: letter.detail,
          source_topic: letter.sourceTopic,
          source_partition: letter.sourcePartition || 0,
          source_offset: letter.sourceOffset || '0',
          schema_id: letter.schemaId,
          message_key: message.key?.toString('utf8') ?? '',
          message_bytes: message.value?.length ?? 0,
          dead_lettered_at: letter.time || new Date(message.timestampMs).toISOString(),
        };
      });
      const first = batch.messages[0]!;
      const last = batch.messages[batch.messages.length - 1]!;
      await writeRows(
        clickhouse,
        new Map([['dlq_events', rows]]),
        {
          topic: batch.topic,
          partition: batch.partition,
          firstOffset: first.offset,
          lastOffset: last.offset,
        },
        { database: config.CLICKHOUSE_DATABASE },
      );
    },
  });
}
