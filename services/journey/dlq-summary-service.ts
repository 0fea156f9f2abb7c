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
import { dlqRow } from '../sink/rows/event-rows.ts';

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
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    log,
    metrics,
    handler: async (batch) => {
      const rows = batch.messages.map((message) => dlqRow(readDeadLetterHeaders(message.headers), message));
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
