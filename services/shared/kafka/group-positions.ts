// Where a consumer group stands on a topic, as the broker sees it: per partition, the group's
// committed offset and the log's start and end. One reading serves the ingest (is a raw partition
// read to its end before it is announced idle?) and the lag monitor (how far behind is it?).
import type { Admin } from 'kafkajs';

export interface GroupPosition {
  partition: number;
  /** The next offset to read; below 0 for none (then the log's start). */
  committed: string;
  low: string;
  high: string;
}

export async function groupPositions(admin: Admin, groupId: string, topic: string): Promise<GroupPosition[]> {
  const ends = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return ends.map((end) => ({
    partition: end.partition,
    committed: committed?.partitions.find((o) => o.partition === end.partition)?.offset ?? '-1',
    low: end.low,
    high: end.high,
  }));
}

/** Offsets the group has still to read. A stage commits past the transaction markers at a
 *  partition's end (marker-offsets.ts), so a group read to its end has none. */
export function lagOf(position: Pick<GroupPosition, 'committed' | 'low' | 'high'>): number {
  const from = BigInt(position.committed) < 0n ? BigInt(position.low) : BigInt(position.committed);
  const behind = BigInt(position.high) - from;
  return behind <= 0n ? 0 : Number(behind);
}

/** Whether the group read the partition to its end. */
export const readToEnd = (position: Pick<GroupPosition, 'committed' | 'low' | 'high'>): boolean =>
  lagOf(position) === 0;
