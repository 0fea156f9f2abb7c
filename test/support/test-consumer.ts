// A batch consumer of one test topic with the settings the batch-consumer tests share: its own
// group, a silent log, the given session timeout. `options` adds or overrides the rest (metrics to
// read, transaction commit mode, an onFatal that keeps the test process alive).
import type { Kafka } from 'kafkajs';
import { runBatchConsumer } from '../../services/shared/kafka/batch-consumer.ts';
import type {
  BatchConsumerOptions,
  BatchHandler,
  RunningConsumer,
} from '../../services/shared/kafka/batch-consumer.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';

export function runTestConsumer(
  kafka: Kafka,
  groupId: string,
  topic: string,
  sessionTimeoutMs: number,
  handler: BatchHandler,
  options: Partial<BatchConsumerOptions> = {},
): Promise<RunningConsumer> {
  return runBatchConsumer({
    kafka,
    groupId,
    topics: [topic],
    stage: 'test',
    log: createLogger('silent'),
    metrics: createMetrics(false),
    sessionTimeoutMs,
    handler,
    ...options,
  });
}
