// The dedup windows are memory: a new process, or an instance handed a partition by a rebalance,
// starts them empty, and a duplicate delivery that straddles the restart (a producer's retry
// during a broker brown-out that also restarted the ingest) would pass. So when partitions are
// taken over, the raw messages just below each one's committed offset (up to `depth` per
// partition) are read back once and their event ids derived the way the pipeline derives them
// (decode, normalise); each id goes into its partition's window with its message's time. Messages
// that were dead-lettered or dropped carry no id and are skipped. A registry that does not answer
// throws (a transient fault: the batch retries, and the warm-up with it).
import type { Kafka } from 'kafkajs';
import { TransientFault } from '../shared/bulkhead.ts';
import { readPartitionRanges } from '../shared/kafka/read-partition-ranges.ts';
import type { PartitionRange, RangeRecord } from '../shared/kafka/read-partition-ranges.ts';
import { decodeMessageStep } from './decode-message-step.ts';
import type { LookupSchema } from './decode-message-step.ts';
import type { DedupWindow } from './dedup-window.ts';
import type { IngestConfig, InputSource } from './ingest-config.ts';
import { normaliseEventStep } from './normalise-event-step.ts';

export interface WarmTarget {
  topic: string;
  partition: number;
}

export interface WarmResult {
  partitions: number;
  messages: number;
  ids: number;
}

/** The event id the ingest gives a raw message, or null when it gives none (DLQ, drop). */
export async function eventIdOf(
  record: Pick<RangeRecord, 'value' | 'timestampMs'>,
  source: InputSource,
  config: IngestConfig,
  lookup: LookupSchema,
): Promise<string | null> {
  let decoded;
  try {
    decoded = await decodeMessageStep(record.value, lookup, config.limits);
  } catch {
    return null; // what processing would dead-letter (internal_error) has no id either
  }
  if (decoded.kind === 'retry')
    throw new TransientFault(`dedup warm-up: ${decoded.reason}`, { cause: decoded.cause });
  if (decoded.kind !== 'ok') return null;
  try {
    const normalised = normaliseEventStep(
      source,
      decoded.value.payload,
      { receivedTime: record.timestampMs },
      config,
    );
    return normalised.kind === 'ok' ? normalised.value.event.event_id : null;
  } catch {
    return null;
  }
}

export async function warmDedupWindows(options: {
  kafka: Kafka;
  groupId: string;
  targets: readonly WarmTarget[];
  depth: number;
  sourceByTopic: ReadonlyMap<string, InputSource>;
  config: IngestConfig;
  lookup: LookupSchema;
  windowFor: (topic: string, partition: number) => DedupWindow;
}): Promise<WarmResult> {
  const { kafka, groupId, targets, depth } = options;
  if (depth <= 0 || targets.length === 0) return { partitions: 0, messages: 0, ids: 0 };
  const admin = kafka.admin();
  await admin.connect();
  const ranges: PartitionRange[] = [];
  try {
    for (const topic of new Set(targets.map((t) => t.topic))) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const lows = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.low)]));
      for (const target of targets.filter((t) => t.topic === topic)) {
        const offset = BigInt(
          committed?.partitions.find((p) => p.partition === target.partition)?.offset ?? '-1',
        );
        if (offset <= 0n) continue;
        const low = lows.get(target.partition) ?? 0n;
        const from = offset - BigInt(depth) > low ? offset - BigInt(depth) : low;
        ranges.push({ topic, partition: target.partition, from, to: offset });
      }
    }
  } finally {
    await admin.disconnect();
  }
  let ids = 0;
  const messages = await readPartitionRanges(kafka, ranges, async (record) => {
    const source = options.sourceByTopic.get(record.topic);
    if (!source) return;
    const id = await eventIdOf(record, source, options.config, options.lookup);
    if (id === null) return;
    options.windowFor(record.topic, record.partition).checkAndRemember(id, record.timestampMs);
    ids++;
  });
  return { partitions: ranges.length, messages, ids };
}
