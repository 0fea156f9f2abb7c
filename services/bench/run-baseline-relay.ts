// B3 and B4, the topology's I/O without its work: what any pipeline shaped like ours must at least
// do on this machine, measured the way ours is. B3 (2 hops) is the single writer's shape: raw ->
// one exactly-once hop -> ClickHouse; B4 (3 hops) the partitioned one's: raw -> hop -> hop ->
// ClickHouse. A forwarding hop (hop < hops) forwards every message's bytes unchanged (same key,
// Kafka's key placement) in one Kafka transaction per batch with the batch's offsets, on a
// transactional producer per input partition — the ingest's and the route's commit, without
// normalising, resolving or re-encoding anything; the first hop parses each message with the
// ingest's decode step (the ingest has to), a middle one not even that (the route decodes every
// event). The last hop is B1 itself over the previous hop's topic (decode, one row per message,
// one insert per batch, commit after the insert), in B4 with the state step's partitions at once.
// No identity, state, changelogs or second table: a pipeline of this shape that did any work
// should not be faster, so ours / B1 should not exceed B3 / B1 (single writer) or B4 / B1
// (partitioned) on the machine that measured them, within the runs' spread.
import type { Kafka } from 'kafkajs';
import type { PipelineConfig } from '../shared/config/config.ts';
import { offsetAfter, runBatchConsumer } from '../shared/kafka/batch-consumer.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import { PartitionProducers } from '../shared/kafka/partition-producers.ts';
import { rawTopicMaxBytes } from '../shared/kafka/message-limits.ts';
import { resolvedPartitions } from '../shared/kafka/pipeline-topics.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import { ensureTopics } from '../shared/kafka/topics.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import { rawDecoder, rawTopics } from './run-baseline-consume.ts';
import { startPassthroughBaseline } from './run-baseline-passthrough.ts';
import type { WorkerProgress } from './worker-progress.ts';

/** The topic hop `hop` (1-based) writes: the canonical topic's partitions after the first hop,
 *  the resolved topic's after the second. */
export function relayTopic(config: PipelineConfig, hop: number): { topic: string; partitions: number } {
  return {
    topic: `${config.TOPIC_CANONICAL}.relay-${hop}`,
    partitions: hop === 1 ? config.TOPIC_CANONICAL_PARTITIONS : resolvedPartitions(config),
  };
}

const relayGroup = (config: PipelineConfig, hop: number): string => `${config.INGEST_GROUP_ID}-relay-${hop}`;

/** The topics between the hops of a `hops`-hop relay, created before it runs. */
export async function createRelayTopics(kafka: Kafka, config: PipelineConfig, hops: number): Promise<void> {
  const specs = [];
  // As large a message as the raw topics take (a malformed one too big for the ingest included).
  const maxMessageBytes = rawTopicMaxBytes(config.INGEST_MAX_MESSAGE_BYTES);
  for (let hop = 1; hop < hops; hop++)
    specs.push({ ...relayTopic(config, hop), retentionMs: -1, maxMessageBytes });
  await ensureTopics(kafka, specs);
}

const inputOf = (config: PipelineConfig, hop: number): string[] =>
  hop === 1 ? rawTopics(config) : [relayTopic(config, hop - 1).topic];

/** Hop `hop` of `hops`: a forwarding hop, or (the last) B1 over the previous hop's topic. */
export async function startRelayHop(
  config: PipelineConfig,
  log: Logger,
  progress: WorkerProgress,
  hop: number,
  hops: number,
): Promise<{ stop(): Promise<void>; joined: Promise<void> }> {
  if (hop >= hops)
    return startPassthroughBaseline(config, log, progress, {
      topics: inputOf(config, hop),
      groupId: relayGroup(config, hop),
      // B4's last hop stands for the state step, which takes its partitions' batches at once.
      partitionsConcurrently: hops > 2 ? config.JOURNEY_PARTITIONS_CONCURRENTLY : 1,
    });
  const decode = rawDecoder(config);
  const kafka = createKafka(config, `${config.KAFKA_CLIENT_ID}-bench-relay-${hop}`, log);
  const groupId = relayGroup(config, hop);
  const producers = new PartitionProducers(kafka, groupId);
  const output = relayTopic(config, hop).topic;
  const running = await runBatchConsumer({
    kafka,
    groupId,
    topics: inputOf(config, hop),
    stage: `bench_relay_${hop}`,
    commitMode: 'transaction',
    log,
    onGroupJoin: (assignment) => producers.retain(assignment),
    // The first hop reads the raw topics as the ingest does (its fetch linger and concurrency).
    ...(hop === 1
      ? {
          partitionsConcurrently: config.INGEST_PARTITIONS_CONCURRENTLY,
          fetchMinBytes: config.INGEST_FETCH_MIN_BYTES,
          fetchMaxWaitMs: config.INGEST_FETCH_MAX_WAIT_MS,
        }
      : {}),
    handler: async (batch, control) => {
      progress.started();
      const { producer, floor } = await producers.claim(batch.topic, batch.partition, control.memberFresh);
      // Below the floor: committed by the partition's previous owner (partition-producers.ts).
      const kept = batch.messages.filter((m) => BigInt(m.offset) >= floor);
      const messages: OutboundMessage[] = [];
      for (const m of kept) {
        if (hop === 1) await decode(m.value);
        messages.push({ topic: output, key: m.key, value: m.value });
      }
      const committed = await producer.sendWithOffsets(
        messages,
        { groupId, topic: batch.topic, partition: batch.partition, offset: offsetAfter(batch) },
        async () => !control.isStale() && control.memberFresh(),
      );
      // Not committed: throwing keeps the fetch position (redone here, or by the new owner).
      if (!committed) throw new Error(`relay hop ${hop}: ${batch.topic}:${batch.partition} was revoked`);
      progress.add(kept.length);
    },
  });
  return {
    joined: running.joined,
    stop: async () => {
      await running.stop();
      producers.retain({});
    },
  };
}
