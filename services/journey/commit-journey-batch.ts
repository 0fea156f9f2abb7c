// How a journey batch becomes durable: its outputs, state changelogs and the consumer offsets
// commit in one Kafka transaction, or not at all, and only after the batch's rows are in
// ClickHouse — the inserts run while the transaction's messages are sent, and gate its commit.
// Rows ClickHouse refuses for their values are dead-lettered in the same transaction (the others
// are stored: write-rows.ts isolates them). A member that went a session without a heartbeat (a
// zombie that just woke up) inserts nothing: no transaction can fence ClickHouse rows.
import type { ClickHouseClient } from '@clickhouse/client';
import type { PipelineConfig } from '../shared/config/config.ts';
import { commitAllowed, offsetAfter, StaleMemberError } from '../shared/kafka/batch-consumer.ts';
import type { BatchControl, ConsumedBatch } from '../shared/kafka/batch-consumer.ts';
import { rejectedRowMessage } from '../shared/kafka/dead-letter.ts';
import type { OutboundMessage, TransactionalProducer } from '../shared/kafka/producer.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import type { PipelineMetrics } from '../shared/telemetry/metrics.ts';
import { writeRows } from '../sink/write-rows.ts';
import type { RowWriter } from '../sink/insert-rounds.ts';
import { IDENTITY_TABLES } from '../sink/rows/journey-rows.ts';
import type { RowsByTable } from '../sink/rows/journey-rows.ts';
import type { JourneyBatchResult } from './journey-pipeline.ts';

export interface JourneyCommit {
  batch: ConsumedBatch;
  control: BatchControl;
  result: JourneyBatchResult;
  /** The batch's outputs as rows (services/sink/rows/journey-rows.ts). */
  rows: RowsByTable;
  producer: TransactionalProducer;
  clickhouse: ClickHouseClient;
  config: PipelineConfig;
  metrics: PipelineMetrics;
  log: Logger;
  /** The consumer group whose offsets commit (default JOURNEY_GROUP_ID; the route stage's own). */
  groupId?: string;
  /** Stores the rows (default: this batch's own inserts; the state step's batches share theirs:
   *  services/sink/insert-rounds.ts). */
  write?: RowWriter;
}

/** True when committed; false when the partition was revoked meanwhile (nothing committed). */
export async function commitJourneyBatch(commit: JourneyCommit): Promise<boolean> {
  const { batch, control, result, rows, producer, clickhouse, config, metrics, log } = commit;
  const groupId = commit.groupId ?? config.JOURNEY_GROUP_ID;
  const first = batch.messages[0]!;
  const last = batch.messages[batch.messages.length - 1]!;
  const rejected: OutboundMessage[] = [];
  const write: RowWriter =
    commit.write ?? ((r, origin, options) => writeRows(clickhouse, r, origin, options));
  const insertRows = (retries?: number) =>
    write(
      rows,
      { topic: batch.topic, partition: batch.partition, firstOffset: first.offset, lastOffset: last.offset },
      {
        database: config.CLICKHOUSE_DATABASE,
        first: IDENTITY_TABLES,
        ...(retries !== undefined ? { retries } : {}),
        beforeInsert: () => {
          if (!control.memberFresh()) throw new StaleMemberError(groupId);
        },
        onRejectedRow: (table, row, err) => {
          rejected.push(
            rejectedRowMessage(
              config.TOPIC_DLQ,
              table,
              row,
              { topic: batch.topic, partition: batch.partition, firstOffset: first.offset },
              err.message,
              Date.now(),
            ),
          );
          metrics.dlqMessages.inc({ reason: 'clickhouse_rejected', step: 'writeRows' });
          log.warn(
            { table, code: err.code, topic: batch.topic, partition: batch.partition },
            'row refused by ClickHouse; sent to DLQ',
          );
        },
        onInsert: (table, rows, seconds) => {
          metrics.clickhouseInsertRows.inc({ table }, rows);
          metrics.clickhouseInsertDuration.observe({ table }, seconds);
        },
      },
    );
  const offsets = {
    groupId,
    topic: batch.topic,
    partition: batch.partition,
    offset: offsetAfter(batch),
  };
  const outputs = [...result.messages, ...result.changelog, ...result.checkpoint];
  if (config.UNSAFE_NEGATIVE_CONTROL === 'commit_before_insert') {
    // The fault-injection suite's negative control, the naive writer: the offsets go first, the
    // rows after, once — a failed insert cannot be redelivered, its rows are gone.
    const committed = await producer.sendWithOffsets(outputs, offsets);
    await insertRows(0).catch((err: unknown) =>
      log.error({ err }, 'UNSAFE_NEGATIVE_CONTROL: insert failed after the commit; rows dropped'),
    );
    return committed;
  }
  return producer.sendWithOffsets(
    outputs,
    offsets,
    async () => {
      rejected.length = 0; // a retried gate starts over
      await insertRows();
      return commitAllowed(control, groupId);
    },
    () => rejected,
  );
}
