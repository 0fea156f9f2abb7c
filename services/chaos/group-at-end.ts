// True once a consumer group has committed every partition of `topics` up to its end. A
// transactional topic ends with a commit marker: a committed offset of high - 1 is the end too.
import type { Kafka } from 'kafkajs';

export async function groupAtEnd(kafka: Kafka, groupId: string, topics: string[]): Promise<boolean> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      for (const end of ends) {
        if (end.high === end.low) continue;
        const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        if (BigInt(at) + 1n < BigInt(end.high)) return false;
      }
    }
    return true;
  } catch {
    return false; // the broker is restarting: not at the end yet
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
