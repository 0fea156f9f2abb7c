// The pipeline's topics, created explicitly (automatic topic creation is off everywhere):
// partitions and retention from config, compaction for changelog topics.
import type { Admin, Kafka } from 'kafkajs';

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
      const create = () =>
        admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((s) => ({
            topic: s.topic,
            numPartitions: s.partitions,
            replicationFactor: -1,
            configEntries: topicConfigEntries(s),
          })),
        });
      for (let attempt = 0; ; attempt++) {
        try {
          // A retry finds the topics created (kafkajs then skips its wait): wait for the leaders here.
          if ((await create()) || attempt === 0) break;
          if (
            await leadersKnown(
              admin,
              missing.map((s) => s.topic),
            )
          )
            break;
          throw Object.assign(new Error('topic leaders not known yet'), { type: 'LEADER_NOT_AVAILABLE' });
        } catch (err) {
          // Right after a broker (re)start, the metadata kafkajs asks for while waiting for the new
          // topics' leaders can lag the creation: UNKNOWN_TOPIC_OR_PARTITION, which kafkajs does
          // not retry. The topics were created; ask again until their leaders are known.
          if (!isMetadataLag(err) || attempt >= 40) throw err;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
    return missing.map((s) => s.topic);
  } finally {
    await admin.disconnect();
  }
}

async function leadersKnown(admin: Admin, topics: string[]): Promise<boolean> {
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
  return metadata.length === topics.length && metadata.every((t) => t.partitions.every((p) => p.leader >= 0));
}

const METADATA_LAG = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

function isMetadataLag(err: unknown): boolean {
  const e = err as { type?: string; errors?: unknown[] } | null;
  if (e?.type !== undefined && METADATA_LAG.has(e.type)) return true;
  return Array.isArray(e?.errors) && e.errors.length > 0 && e.errors.every((x) => isMetadataLag(x));
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
