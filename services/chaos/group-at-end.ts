// True once a consumer group has committed every partition of `topics` up to its end (a stage
// commits past the transaction markers at a partition's end: marker-offsets.ts).
import type { Kafka } from 'kafkajs';
import { groupPositions, readToEnd } from '../shared/kafka/group-positions.ts';

export async function groupAtEnd(kafka: Kafka, groupId: string, topics: string[]): Promise<boolean> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    for (const topic of topics)
      if (!(await groupPositions(admin, groupId, topic)).every(readToEnd)) return false;
    return true;
  } catch {
    return false; // the broker is restarting: not at the end yet
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
