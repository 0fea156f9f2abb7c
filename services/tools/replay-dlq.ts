// replay-dlq: re-feeds dead-lettered records to the topic they came from, after a fix (a schema
// registered, a limit raised, a normaliser corrected). Reads the DLQ as consumer group
// `<group>` from its committed offsets at least up to the high watermarks seen at start, re-produces the
// original key and bytes (plus a dlq_replayed_from header), and commits each batch only after the
// brokers acknowledged the re-produced messages. Optional filter by reason. A dry run reads the
// same records (from the group's committed offsets, as a throw-away group seeded with them) and
// reports what would be replayed, by reason, without producing or moving the group.
import type { Kafka } from 'kafkajs';
import { REPLAYED_HEADER, readDeadLetterHeaders } from '../shared/kafka/dead-letter.ts';
import { runBatchConsumer } from '../shared/kafka/batch-consumer.ts';
import { createOutputProducer } from '../shared/kafka/producer.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import type { Logger } from '../shared/telemetry/logger.ts';

export interface ReplayOptions {
  kafka: Kafka;
  dlqTopic: string;
  groupId: string;
  reasons?: ReadonlySet<string>;
  log: Logger;
  timeoutMs?: number;
  /** Count what would be replayed; produce nothing, leave `groupId`'s offsets where they are. */
  dryRun?: boolean;
}

export interface ReplaySummary {
  replayed: number;
  skipped: number;
  byReason: Record<string, number>;
}

export async function replayDeadLetters(options: ReplayOptions): Promise<ReplaySummary> {
  if (options.dryRun) return dryRun(options);
  return replay(options);
}

async function dryRun(options: ReplayOptions): Promise<ReplaySummary> {
  const { kafka, dlqTopic, groupId } = options;
  const probe = `${groupId}-dry-run-${Date.now().toString(36)}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [dlqTopic] });
    const partitions = (committed?.partitions ?? []).filter((p) => BigInt(p.offset) >= 0n);
    if (partitions.length > 0) await admin.setOffsets({ groupId: probe, topic: dlqTopic, partitions });
    return await replay({ ...options, groupId: probe, produce: false });
  } finally {
    await admin.deleteGroups([probe]).catch(() => undefined);
    await admin.disconnect();
  }
}

async function replay(options: ReplayOptions & { produce?: boolean }): Promise<ReplaySummary> {
  const { kafka, dlqTopic, groupId, reasons, log } = options;
  const produce = options.produce ?? true;
  const admin = kafka.admin();
  await admin.connect();
  const highs = new Map((await admin.fetchTopicOffsets(dlqTopic)).map((p) => [p.partition, BigInt(p.high)]));
  const committed = await admin.fetchOffsets({ groupId, topics: [dlqTopic] });
  await admin.disconnect();
  const done = new Map<number, boolean>();
  for (const p of committed[0]?.partitions ?? []) {
    const from = p.offset === '-1' ? 0n : BigInt(p.offset);
    done.set(p.partition, from >= (highs.get(p.partition) ?? 0n));
  }
  const summary: ReplaySummary = { replayed: 0, skipped: 0, byReason: {} };
  if ([...done.values()].every(Boolean)) return summary;

  const producer = produce ? await createOutputProducer(kafka) : null;
  const markPosition = (partition: number, position: bigint): void => {
    if (position >= (highs.get(partition) ?? 0n)) done.set(partition, true);
    if ([...highs.keys()].every((p) => done.get(p) ?? (highs.get(p) ?? 0n) === 0n)) finish();
  };
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const consumer = await runBatchConsumer({
    kafka,
    groupId,
    topics: [dlqTopic],
    stage: 'replay-dlq',
    log,
    fromBeginning: true,
    handler: async (batch) => {
      // Everything fetched is replayed (the batch is committed whole); the run ends once every
      // partition's commit reached the high watermark seen at start.
      const outputs: OutboundMessage[] = [];
      for (const message of batch.messages) {
        const letter = readDeadLetterHeaders(message.headers);
        // A refused ClickHouse row is not a source message: it is re-inserted by hand once the
        // table or the code is fixed (docs/operations.md), never re-fed to a topic.
        if (!letter.sourceTopic || letter.table !== null || (reasons && !reasons.has(letter.reason))) {
          summary.skipped++;
          continue;
        }
        outputs.push({
          topic: letter.sourceTopic,
          key: message.key,
          value: message.value ?? Buffer.alloc(0),
          headers: { [REPLAYED_HEADER]: `${dlqTopic}:${message.partition}:${message.offset}` },
        });
        summary.byReason[letter.reason] = (summary.byReason[letter.reason] ?? 0) + 1;
      }
      await producer?.send(outputs);
      summary.replayed += outputs.length;
    },
    onCommitted: (_topic, partition, nextOffset) => markPosition(partition, nextOffset),
  });
  // The DLQ is written in transactions: a trailing commit marker never reaches the handler, but
  // batch-end events report the position past it.
  consumer.consumer.on(consumer.consumer.events.END_BATCH_PROCESS, (event) => {
    const { partition, lastOffset } = event.payload as { partition: number; lastOffset: string };
    // Batches are handled (and committed) in order, so the batch-end position is safe to trust.
    if (BigInt(lastOffset) + 1n >= (highs.get(partition) ?? 0n))
      markPosition(partition, BigInt(lastOffset) + 1n);
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error('replay-dlq did not reach the DLQ high watermark in time')),
      options.timeoutMs ?? 120_000,
    ).unref(),
  );
  try {
    await Promise.race([finished, timeout]);
  } finally {
    await consumer.stop();
    await producer?.disconnect();
  }
  log.info(
    { ...summary, dryRun: !produce },
    produce ? 'dead letters replayed' : 'dead letters that would be replayed',
  );
  return summary;
}
