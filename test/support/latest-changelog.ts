// The latest value of every key of a compacted changelog topic, as the next restore would see it
// (null = tombstone), read from the beginning of every partition.
import type { Kafka } from 'kafkajs';
import { readChangelog } from '../../services/shared/kafka/read-changelog.ts';

export async function latestChangelog(kafka: Kafka, topic: string): Promise<Map<string, string | null>> {
  const latest = new Map<string, string | null>();
  // Partition and key together: compaction keeps one value per key in each partition.
  await readChangelog(kafka, topic, (entry) =>
    latest.set(`${entry.partition}/${entry.key}`, entry.value === null ? null : entry.value.toString('utf8')),
  );
  return latest;
}
