// The pipeline's topics, created explicitly (automatic topic creation is off everywhere):
// partitions and retention from config, compaction for changelog topics.
import type { Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  partitions: number;
  compacted?: boolean;
  retentionMs?: number;
  maxMessageBytes?: number;
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
          configEntries: [
            { name: 'cleanup.policy', value: s.compacted ? 'compact' : 'delete' },
            ...(s.retentionMs !== undefined ? [{ name: 'retention.ms', value: String(s.retentionMs) }] : []),
            ...(s.maxMessageBytes !== undefined
              ? [{ name: 'max.message.bytes', value: String(s.maxMessageBytes) }]
              : []),
          ],
        })),
      });
    }
    return missing.map((s) => s.topic);
  } finally {
    await admin.disconnect();
  }
}
