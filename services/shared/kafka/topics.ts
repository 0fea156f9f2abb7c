// The pipeline's topics, created explicitly (automatic topic creation is off everywhere):
// partitions and retention from config, compaction for changelog topics.
import type { Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  partitions: number;
  compacted?: boolean;
  retentionMs?: number;
  maxMessageBytes?: number;
  /** message.timestamp.type=LogAppendTime: time retention counts from the broker's append time. */
  logAppendTime?: boolean;
  /** segment.bytes; only tests set it (small segments let retention delete within seconds). */
  segmentBytes?: number;
}

export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: -1,
          configEntries: topicConfigEntries(s),
        })),
      });
    }
    return missing.map((s) => s.topic);
  } finally {
    await admin.disconnect();
  }
}

/** The topic-level configuration of a spec (what ensureTopics creates a topic with). */
export function topicConfigEntries(s: TopicSpec): Array<{ name: string; value: string }> {
  return [
    { name: 'cleanup.policy', value: s.compacted ? 'compact' : 'delete' },
    ...(s.retentionMs !== undefined ? [{ name: 'retention.ms', value: String(s.retentionMs) }] : []),
    ...(s.maxMessageBytes !== undefined
      ? [{ name: 'max.message.bytes', value: String(s.maxMessageBytes) }]
      : []),
    ...(s.logAppendTime ? [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] : []),
    ...(s.segmentBytes !== undefined ? [{ name: 'segment.bytes', value: String(s.segmentBytes) }] : []),
  ];
}
