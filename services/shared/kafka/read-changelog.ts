// Reads a compacted changelog topic from the beginning up to the high watermarks seen at start,
// without joining any consumer group's offsets (a throw-away group id), and hands every record to
// `apply` in partition order. Used to restore state before processing.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

export interface ChangelogEntry {
  partition: number;
  offset: string;
  key: string;
  value: Buffer | null;
}

export async function readChangelog(
  kafka: Kafka,
  topic: string,
  apply: (entry: ChangelogEntry) => void,
  timeoutMs = 300_000,
  /** Only these partitions (a stage restoring the partitions it was just assigned); default all. */
  partitions?: readonly number[],
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    offsets
      .filter((p) => BigInt(p.high) > BigInt(p.low) && (partitions?.includes(p.partition) ?? true))
      .map((p) => [p.partition, BigInt(p.high)]),
  );
  if (remaining.size === 0) return 0;
  // A group of its own: two restores of one topic begun in the same millisecond in one process (two
  // instances of a stage, as the scale-out test runs them) would otherwise share a group, split the
  // partitions between them and each wait for ever for those the other was given.
  const consumer = kafka.consumer({
    groupId: `restore-${topic}-${process.pid}-${randomUUID()}`,
    allowAutoTopicCreation: false,
    // The disconnect at the end waits for the fetch in flight, which waits at the broker for data
    // that will not come: kafkajs's 5 s default would add up to 5 s to every restore.
    maxWaitTimeInMs: 250,
  });
  let applied = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`restore of ${topic} did not finish in ${timeoutMs} ms`)),
        timeoutMs,
      );
      // Done per partition once the consumer's position passed the high watermark seen at start.
      // Batch-end events also fire for batches holding only transaction markers, which never
      // reach eachBatch, so a changelog written in transactions completes too.
      consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
        const { partition, lastOffset } = event.payload as { partition: number; lastOffset: string };
        const high = remaining.get(partition);
        if (high !== undefined && BigInt(lastOffset) + 1n >= high) remaining.delete(partition);
        if (remaining.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const high = remaining.get(batch.partition);
            if (high === undefined) return;
            for (const message of batch.messages) {
              if (BigInt(message.offset) >= high) break;
              apply({
                partition: batch.partition,
                offset: message.offset,
                key: String(message.key ?? ''),
                value: message.value,
              });
              applied++;
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return applied;
}
