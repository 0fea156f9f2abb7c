// The range of offsets a consumer group lost on one partition: from its committed offset up to
// the partition's log start (retention deleted them first), or past the log end (the log was
// truncated or the topic recreated). Read from the broker, never guessed.
import type { Kafka } from 'kafkajs';

export interface LostOffsets {
  topic: string;
  partition: number;
  /** The group's committed offset (the next message it expected), or null when none. */
  committed: bigint | null;
  logStart: bigint;
  logEnd: bigint;
  /** Messages that are gone for this group: logStart - committed, when committed < logStart. */
  lost: bigint;
  description: string;
}

export async function describeLostOffsets(
  kafka: Kafka,
  groupId: string,
  topic: string,
  partition: number,
): Promise<LostOffsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committedTopic] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committedText = committedTopic?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    const committed = BigInt(committedText) >= 0n ? BigInt(committedText) : null;
    const offsets = (await admin.fetchTopicOffsets(topic)).find((p) => p.partition === partition);
    const logStart = BigInt(offsets?.low ?? '0');
    const logEnd = BigInt(offsets?.high ?? '0');
    const lost = committed !== null && committed < logStart ? logStart - committed : 0n;
    const description =
      committed === null
        ? `no committed offset; log is [${logStart}, ${logEnd})`
        : committed < logStart
          ? `offsets ${committed}..${logStart - 1n} (${lost} messages) were deleted by the broker before the group consumed them`
          : committed > logEnd
            ? `committed offset ${committed} is past the log end ${logEnd} (log truncated or topic recreated)`
            : `committed offset ${committed} is within the log [${logStart}, ${logEnd}) again`;
    return { topic, partition, committed, logStart, logEnd, lost, description };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
