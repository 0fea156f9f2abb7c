// One DLQ contract (house style 7): the original bytes and key, plus headers naming the reason
// (a snake_case constant), the step, the time, the source topic/partition/offset, and the schema
// id when known. Consumers of the DLQ (replay-dlq, the ClickHouse DLQ summary) read these headers.
import type { OutboundMessage } from './producer.ts';
import type { ConsumedMessage } from './batch-consumer.ts';

export const DLQ_HEADERS = {
  reason: 'dlq_reason',
  detail: 'dlq_detail',
  step: 'dlq_step',
  time: 'dlq_time',
  sourceTopic: 'dlq_source_topic',
  sourcePartition: 'dlq_source_partition',
  sourceOffset: 'dlq_source_offset',
  schemaId: 'dlq_schema_id',
  /** Set on a refused ClickHouse row: the value is the row (JSON), not a source message. */
  table: 'dlq_clickhouse_table',
} as const;

/** Set by replay-dlq on a re-fed message: the dead letter it comes from (`<topic>:<partition>:<offset>`). */
export const REPLAYED_HEADER = 'dlq_replayed_from';

export interface DeadLetter {
  reason: string;
  detail: string;
  step: string;
  schemaId?: number | null;
}

export function deadLetterMessage(
  dlqTopic: string,
  source: ConsumedMessage,
  letter: DeadLetter,
  nowMs: number,
): OutboundMessage {
  const headers: Record<string, string | Buffer> = {};
  // Keep the source's own headers (e.g. a produce timestamp) beside ours.
  for (const [name, value] of Object.entries(source.headers)) if (value !== undefined) headers[name] = value;
  headers[DLQ_HEADERS.reason] = letter.reason;
  headers[DLQ_HEADERS.detail] = letter.detail.slice(0, 1000);
  headers[DLQ_HEADERS.step] = letter.step;
  headers[DLQ_HEADERS.time] = new Date(nowMs).toISOString();
  headers[DLQ_HEADERS.sourceTopic] = source.topic;
  headers[DLQ_HEADERS.sourcePartition] = String(source.partition);
  headers[DLQ_HEADERS.sourceOffset] = source.offset;
  if (letter.schemaId !== undefined && letter.schemaId !== null)
    headers[DLQ_HEADERS.schemaId] = String(letter.schemaId);
  return { topic: dlqTopic, key: source.key, value: source.value ?? Buffer.alloc(0), headers };
}

/** A row ClickHouse refused, as a dead letter: the row as JSON, its table in a header, and the
 *  batch it came from as the source (partition, first offset). replay-dlq leaves these alone. */
export function rejectedRowMessage(
  dlqTopic: string,
  table: string,
  row: object,
  origin: { topic: string; partition: number; firstOffset: string },
  detail: string,
  nowMs: number,
): OutboundMessage {
  const source: ConsumedMessage = {
    topic: origin.topic,
    partition: origin.partition,
    offset: origin.firstOffset,
    key: Buffer.from(table),
    value: Buffer.from(JSON.stringify(row)),
    headers: { [DLQ_HEADERS.table]: Buffer.from(table) },
    timestampMs: nowMs,
  };
  return deadLetterMessage(
    dlqTopic,
    source,
    { reason: 'clickhouse_rejected', detail, step: 'writeRows' },
    nowMs,
  );
}

export interface DeadLetterRecord {
  reason: string;
  detail: string;
  step: string;
  time: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  schemaId: number | null;
  /** The ClickHouse table of a refused row (the value is the row), else null. */
  table: string | null;
}

export function readDeadLetterHeaders(headers: Record<string, Buffer | undefined>): DeadLetterRecord {
  const get = (name: string): string => headers[name]?.toString('utf8') ?? '';
  return {
    reason: get(DLQ_HEADERS.reason),
    detail: get(DLQ_HEADERS.detail),
    step: get(DLQ_HEADERS.step),
    time: get(DLQ_HEADERS.time),
    sourceTopic: get(DLQ_HEADERS.sourceTopic),
    sourcePartition: Number(get(DLQ_HEADERS.sourcePartition)),
    sourceOffset: get(DLQ_HEADERS.sourceOffset),
    schemaId: headers[DLQ_HEADERS.schemaId] ? Number(get(DLQ_HEADERS.schemaId)) : null,
    table: headers[DLQ_HEADERS.table] ? get(DLQ_HEADERS.table) : null,
  };
}
