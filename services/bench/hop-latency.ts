// Where the event -> queryable latency goes, hop by hop, for the sampled events of a paced phase:
// each hop's output record carries the time its stage sent it (kafkajs stamps a record's
// CreateTime at the send, inside the stage's transaction), so after the phase the canonical and
// (partitioned) resolved topics are read back (read_committed) and, per sampled event,
//   ingest  = canonical record sent - produced to the raw topic,
//   route   = resolved record sent  - canonical record sent (partitioned only),
//   journey = journey_events insert acknowledged - the record it read sent (resolved or canonical).
// Each hop holds its stage's wait for the fetch, its batch's processing and (but the last) the
// commit its reader waits for (read_committed sees a record only once its transaction committed).
import type { Kafka } from 'kafkajs';
import type { PipelineConfig } from '../shared/config/config.ts';
import { journeyEventType } from '../shared/kafka/canonical-codec.ts';
import { readPartitionRanges } from '../shared/kafka/read-partition-ranges.ts';
import { decodeCanonicalStep } from '../journey/decode-canonical-step.ts';
import { latencySummary } from './bench-stats.ts';
import type { LatencySummary } from './bench-stats.ts';

export type HopLatencies = Record<string, LatencySummary>;

/** Per sampled event id, the CreateTime of its first committed record in `topic`. */
async function sentAt(
  kafka: Kafka,
  topic: string,
  wanted: ReadonlySet<string>,
): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const type = journeyEventType();
  const out = new Map<string, number>();
  await readPartitionRanges(
    kafka,
    offsets.map((o) => ({ topic, partition: o.partition, from: BigInt(o.low), to: BigInt(o.high) })),
    (record) => {
      // Control records of the resolved topic (moves, markers) carry no event: skipped.
      const decoded = decodeCanonicalStep(record.value, type);
      if (decoded.kind !== 'ok') return;
      const id = decoded.value.event_id;
      if (wanted.has(id) && !out.has(id)) out.set(id, record.timestampMs);
    },
  );
  return out;
}

/** The differences `to - from` over the events both know, summarised. */
function hop(from: ReadonlyMap<string, number>, to: ReadonlyMap<string, number>): LatencySummary {
  const values: number[] = [];
  for (const [id, start] of from) {
    const end = to.get(id);
    if (end !== undefined) values.push(Math.max(0, end - start));
  }
  return latencySummary(values);
}

export async function hopLatencies(
  kafka: Kafka,
  config: PipelineConfig,
  producedAt: ReadonlyMap<string, number>,
  firstAck: ReadonlyMap<string, number>,
  partitioned: boolean,
): Promise<HopLatencies> {
  const wanted = new Set(producedAt.keys());
  const canonical = await sentAt(kafka, config.TOPIC_CANONICAL, wanted);
  if (!partitioned) return { ingest: hop(producedAt, canonical), journey: hop(canonical, firstAck) };
  const resolved = await sentAt(kafka, config.TOPIC_RESOLVED, wanted);
  return {
    ingest: hop(producedAt, canonical),
    route: hop(canonical, resolved),
    journey: hop(resolved, firstAck),
  };
}
