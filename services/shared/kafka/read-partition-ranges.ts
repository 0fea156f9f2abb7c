// Reads given offset ranges [from, to) of topic partitions once, without joining any consumer
// group's offsets (a throw-away group, deleted afterwards), and hands every record to `apply` in
// offset order per partition. kafkajs has no manual assignment: the throw-away consumer subscribes
// to the ranges' topics, seeks each planned partition to its start and ignores the others.
import type { Kafka } from 'kafkajs';

export interface PartitionRange {
  topic: string;
  partition: number;
  from: bigint;
  /** Exclusive. */
  to: bigint;
}

export interface RangeRecord {
  topic: string;
  partition: number;
  offset: string;
  value: Buffer | null;
  headers: Record<string, Buffer | undefined>;
  timestampMs: number;
}

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export async function readPartitionRanges(
  kafka: Kafka,
  ranges: readonly PartitionRange[],
  /** Awaited before the next record: a slow consumer of the records holds the reading back. */
  apply: (record: RangeRecord) => void | Promise<void>,
  timeoutMs = 120_000,
): Promise<number> {
  const remaining = new Map(ranges.filter((r) => r.to > r.from).map((r) => [keyOf(r.topic, r.partition), r]));
  if (remaining.size === 0) return 0;
  const groupId = `range-read-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  // A short fetch wait: the disconnect at the end waits for the fetch in flight (read-changelog.ts).
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
  let applied = 0;
  try {
    await consumer.connect();
    for (const topic of new Set([...remaining.values()].map((r) => r.topic)))
      await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`reading ${remaining.size} partition range(s) did not finish in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const finished = (topic: string, partition: number, lastOffset: string): void => {
        const range = remaining.get(keyOf(topic, partition));
        if (range && BigInt(lastOffset) + 1n >= range.to) remaining.delete(keyOf(topic, partition));
        if (remaining.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      // Batch-end events also fire for batches of transaction markers only, which never reach
      // eachBatch: a range that ends on a marker completes too.
      consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
        const { topic, partition, lastOffset } = event.payload as {
          topic: string;
          partition: number;
          lastOffset: string;
        };
        finished(topic, partition, lastOffset);
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const range = remaining.get(keyOf(batch.topic, batch.partition));
            if (!range) return;
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              if (offset < range.from) continue;
              if (offset >= range.to) break;
              const headers: Record<string, Buffer | undefined> = {};
              for (const [name, value] of Object.entries(message.headers ?? {}))
                headers[name] = Array.isArray(value)
                  ? (value[0] as Buffer)
                  : typeof value === 'string'
                    ? Buffer.from(value)
                    : value;
              await apply({
                topic: batch.topic,
                partition: batch.partition,
                offset: message.offset,
                value: message.value,
                headers,
                timestampMs: Number(message.timestamp),
              });
              applied++;
            }
          },
        })
        .then(() => {
          for (const range of remaining.values())
            consumer.seek({ topic: range.topic, partition: range.partition, offset: range.from.toString() });
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => admin.disconnect());
  }
  return applied;
}
