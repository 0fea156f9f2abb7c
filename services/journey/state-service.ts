// The journey stage's shell when JOURNEY_TOPOLOGY=partitioned (docs/architecture.md, step 5): any
// number of instances in one consumer group share the resolved topic's partitions. Each partition
// is its own unit, as a raw partition is for the ingest: its keyed states restored from its own
// journey-changelog partition, its own transactional producer (fenced by partition, never by
// instance: partition-producers.ts), and per batch processStateBatch -> one transaction with the
// alerts, handovers, dead letters and the partition's changelog ending with its checkpoint,
// committed once the batch's rows are in ClickHouse (dedup token from the partition's offsets).
// A batch that does not commit drops the partition's state: it is restored before the redelivery.
// After every rebalance every partition is restored, so a partition that was away is never run
// against a state older than what its other owner committed.
import type { ClickHouseClient } from '@clickhouse/client';
import type { PipelineConfig } from '../shared/config/config.ts';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import { runBatchConsumer, StaleMemberError } from '../shared/kafka/batch-consumer.ts';
import type { RunningConsumer } from '../shared/kafka/batch-consumer.ts';
import { closeLeftSockets, createKafka } from '../shared/kafka/kafka-client.ts';
import { PartitionProducers } from '../shared/kafka/partition-producers.ts';
import { isFencedError } from '../shared/kafka/producer.ts';
import { readChangelog } from '../shared/kafka/read-changelog.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import type { PipelineMetrics } from '../shared/telemetry/metrics.ts';
import { countRecords } from '../shared/telemetry/metrics.ts';
import { journeyEventType } from '../shared/kafka/canonical-codec.ts';
import { registerCanonicalSchema } from '../ingest/ingest-service.ts';
import { dropStoredEvents } from '../sink/drop-stored-events.ts';
import { journeyRows } from '../sink/rows/journey-rows.ts';
import { erasePersons, withoutErased } from '../sink/erase-person.ts';
import { commitJourneyBatch } from './commit-journey-batch.ts';
import { journeyContextFrom, journeyTopologyFrom } from './journey-service.ts';
import { awaitedHandovers, createKeyedPartition } from './keyed-partition.ts';
import type { KeyedPartition } from './keyed-partition.ts';
import { applyKeyedChangelog, finishKeyedRestore } from './keyed-partition-changelog.ts';
import { startDlqSummary } from './dlq-summary-service.ts';
import { topicPartitions } from './route-service.ts';
import { processStateBatch, processStateTick } from './state-pipeline.ts';
import { allInputsIdle, markersSeen } from './input-watermarks.ts';
import { writeRows } from '../sink/write-rows.ts';
import type { StateTopology } from './state-pipeline.ts';
import { ExclusiveTurns } from '../shared/exclusive-turns.ts';
import { InsertRounds } from '../sink/insert-rounds.ts';
import { startIdleTicker } from './idle-ticker.ts';

const RESTORE_RETRY_MS = 2_000;

export interface StateService extends RunningConsumer {
  clickhouse: ClickHouseClient;
  /** The resolved partitions this instance holds now, with their keyed states. */
  partitions(): ReadonlyMap<number, KeyedPartition>;
}

export async function startStateService(
  config: PipelineConfig,
  log: Logger,
  metrics: PipelineMetrics,
): Promise<StateService> {
  const stageLog = log.child({ stage: 'journey' });
  const kafka = createKafka(config, `${config.KAFKA_CLIENT_ID}-journey-${config.INSTANCE_ID}`, stageLog);
  const clickhouse = createClickHouse(config, { database: null });
  const ctx = journeyContextFrom(config);
  const eventSchemaId = await registerCanonicalSchema(config);
  const partitionCount = await topicPartitions(config, config.TOPIC_RESOLVED, stageLog);
  if (partitionCount === 0)
    throw new Error(`topic ${config.TOPIC_RESOLVED} does not exist: run journey topics`);
  const topology: StateTopology = {
    ...journeyTopologyFrom(config, eventSchemaId),
    resolved: {
      topic: config.TOPIC_RESOLVED,
      partitions: partitionCount,
      eventType: journeyEventType(),
      eventSchemaId,
    },
  };
  const producers = new PartitionProducers(kafka, config.JOURNEY_GROUP_ID);
  // A member back from a stall longer than its session (memberFresh false) writes nothing, not
  // even a producer's initialisation: its partitions may be another's. The consumer's, at its join.
  let memberFresh = (): boolean => false;
  const parts = new Map<number, KeyedPartition>();
  // Restored partitions whose first batches may replay events their previous owner inserted but
  // did not commit: left out of journey_events until a batch of theirs has none stored.
  const replaying = new Set<number>();
  let assigned: number[] = [];
  // Each group join starts a new generation: a restore begun for an older assignment keeps nothing.
  let generation = 0;
  let restoring: Promise<void> | null = null;
  /** One read of the missing partitions' changelogs; false when a group join came meanwhile. */
  const restoreOnce = async (): Promise<boolean> => {
    const gen = generation;
    const missing = assigned.filter((p) => !parts.has(p));
    if (missing.length === 0) return true;
    // Fenced before read: a zombie that still held a partition could otherwise commit a batch
    // after the read (its changelog missing here) and below the floor (its messages skipped here).
    await Promise.all(missing.map((p) => producers.claim(config.TOPIC_RESOLVED, p, memberFresh)));
    if (gen !== generation) return false;
    const restored = new Map(missing.map((p) => [p, createKeyedPartition()]));
    const applied = await readChangelog(
      kafka,
      config.TOPIC_JOURNEY_CHANGELOG,
      (entry) =>
        applyKeyedChangelog(
          restored.get(entry.partition)!,
          entry.key,
          entry.value === null ? null : entry.value.toString('utf8'),
        ),
      undefined,
      missing,
    );
    if (gen !== generation) return false;
    for (const [p, part] of restored) {
      parts.set(p, finishKeyedRestore(part));
      replaying.add(p);
      metrics.unreadableStates.inc(part.store.unreadableStates);
    }
    stageLog.info({ partitions: missing, applied }, 'journey partitions restored');
    return true;
  };
  // Shared by the group join and the batches; a join during a read reads again for the new
  // assignment (a restore begun for an older one keeps nothing, and no batch may come to ask).
  const restoreMissing = (): Promise<void> => {
    restoring ??= (async () => {
      while (!(await restoreOnce()));
    })().finally(() => (restoring = null));
    return restoring;
  };
  // Every assigned partition is kept in memory, not only those with a batch coming: a partition
  // dropped by a failed batch or tick, or not restored at a join (broker unreachable), is read
  // again after the work in flight, and again after a pause until it is — else an input at its
  // end leaves it out of the wall-clock ticks for good.
  let retry: NodeJS.Timeout | null = null;
  let stopped = false;
  const keepRestored = (): void => {
    if (stopped || retry) return;
    void exclusive(() => restoreMissing()).catch((err: unknown) => {
      stageLog.warn({ err }, 'journey partitions not restored yet; retried');
      retry = setTimeout(() => {
        retry = null;
        keepRestored();
      }, RESTORE_RETRY_MS);
      retry.unref();
    });
  };
  const dlqSummary = await startDlqSummary(config, kafka, clickhouse, stageLog, metrics);

  // Batches of different partitions run at once (JOURNEY_PARTITIONS_CONCURRENTLY; kafkajs never
  // hands over two of one partition, and each partition has its state, producer and transaction);
  // a restore and a wall-clock tick run alone: after every batch in flight, before the next.
  const turns = new ExclusiveTurns();
  // The batches in flight share their ClickHouse inserts: one per table per round, not per batch.
  const rounds = new InsertRounds(clickhouse);
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => turns.exclusive(work);
  let lastBatchAt = Date.now();
  const caughtUp = new Map<number, boolean>();
  // Idle input: time advances by the wall clock, as in the single writer (journey-service.ts) —
  // only once every owned partition was read to its end and its inputs are all idle, each
  // partition in a transaction of its own with its ClickHouse rows.
  const idleMs = config.JOURNEY_IDLE_TICK_SECONDS * 1000;
  const tick = async (): Promise<void> => {
    if (idleMs === 0 || Date.now() - lastBatchAt < idleMs || assigned.length === 0) return;
    if (assigned.some((p) => caughtUp.get(p) !== true) || !memberFresh()) return;
    await exclusive(async () => {
      const gen = generation;
      const owner = (): boolean => memberFresh() && gen === generation;
      for (const partition of assigned) {
        const part = parts.get(partition);
        if (!part || !markersSeen(part.store.inputs) || !allInputsIdle(part.store.inputs)) continue;
        const now = Date.now() - ctx.map.lateness_minutes * 60_000;
        const result = processStateTick(part, now, topology, ctx, partition);
        if (result === null) continue;
        const rows = withoutErased(journeyRows(result.outputs), result.erasures);
        try {
          const { producer } = await producers.claim(config.TOPIC_RESOLVED, partition, memberFresh);
          await producer.sendWithOffsets([...result.messages, ...result.changelog], null, async () => {
            await writeRows(
              clickhouse,
              rows,
              { topic: 'wall-clock-tick', partition, firstOffset: String(now), lastOffset: String(now) },
              {
                database: config.CLICKHOUSE_DATABASE,
                beforeInsert: () => {
                  if (!owner()) throw new StaleMemberError(config.JOURNEY_GROUP_ID);
                },
              },
            );
            return owner();
          });
          metrics.watermark.set(now / 1000);
        } catch (err) {
          // The partition holds the tick: keepRestored() restores it after the work in flight, with
          // a producer claimed anew (fenced, then the changelog read).
          parts.delete(partition);
          producers.release(config.TOPIC_RESOLVED, partition);
          stageLog.error({ err, partition }, 'wall-clock tick failed; the partition is restored');
          keepRestored();
        }
      }
    });
  };
  const ticker = startIdleTicker(idleMs, tick, stageLog, 'wall-clock tick failed; retried at the next tick');

  const running = await runBatchConsumer({
    kafka,
    groupId: config.JOURNEY_GROUP_ID,
    topics: [config.TOPIC_RESOLVED],
    stage: 'journey',
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    commitMode: 'transaction',
    log: stageLog,
    metrics,
    onGroupJoin: (assignment, member) => {
      memberFresh = member.memberFresh;
      assigned = [...(assignment[config.TOPIC_RESOLVED] ?? [])];
      caughtUp.clear();
      generation++;
      parts.clear();
      producers.retain(assignment);
      // Restored now rather than at the partition's next batch, which may be long in coming —
      // after the batch in flight, if any: a restore beside it would miss what it commits.
      keepRestored();
    },
    partitionsConcurrently: config.JOURNEY_PARTITIONS_CONCURRENTLY,
    handler: async (batch, control) => {
      lastBatchAt = Date.now(); // no wall-clock tick between this batch's restore and its turn
      // A partition to restore waits for the batches in flight (a restore beside one would miss
      // what it commits), then its batch runs beside the others.
      if (!parts.has(batch.partition)) await exclusive(() => restoreMissing());
      return turns.shared(async () => {
        const partition = batch.partition;
        lastBatchAt = Date.now();
        const lastOffset = batch.messages[batch.messages.length - 1]!.offset;
        // Within one transaction marker of the end of the partition.
        caughtUp.set(partition, BigInt(lastOffset) + 2n >= BigInt(batch.highWatermark));
        try {
          const { producer, floor } = await producers.claim(batch.topic, partition, control.memberFresh);
          // Below the floor: committed by the partition's previous owner after our fetch began.
          const messages = batch.messages.filter((m) => BigInt(m.offset) >= floor);
          if (messages.length === 0) return;
          const part = parts.get(partition);
          // Dropped by a group join after the restore above: redelivered, restored first.
          if (!part) throw new Error(`resolved partition ${partition} is not restored on this member`);
          const result = processStateBatch(messages, part, topology, ctx, Date.now());
          const rows = withoutErased(journeyRows(result.outputs), result.erasures);
          // GDPR: after every event routed before the deletion (this partition's part of them).
          if (result.erasures.length > 0) {
            if (!control.memberFresh()) throw new StaleMemberError(config.JOURNEY_GROUP_ID);
            // Between the other partitions' inserts, never beside one (insert-rounds.ts).
            await rounds.alone(() => erasePersons(clickhouse, config.CLICKHOUSE_DATABASE, result.erasures));
          }
          const events = rows.get('journey_events') as Array<{ event_id: string }> | undefined;
          if (replaying.has(partition) && events && events.length > 0) {
            const kept = await dropStoredEvents(clickhouse, config.CLICKHOUSE_DATABASE, events);
            rows.set('journey_events', kept.rows);
            if (kept.stored === 0) replaying.delete(partition);
          }
          const committed = await commitJourneyBatch({
            batch: { ...batch, messages },
            control,
            result,
            rows,
            producer,
            clickhouse,
            config,
            metrics,
            log: stageLog,
            write: rounds.write,
          });
          if (!committed) {
            parts.delete(partition);
            stageLog.warn({ partition }, 'partition revoked; batch not committed');
            keepRestored();
            return;
          }
          countRecords(metrics, 'journey', result.counts);
          for (const { effect } of result.outputs.journeyEffects)
            if (effect.kind === 'transition') metrics.stageTransitions.inc({ to_stage: effect.to_stage });
          for (const alert of result.outputs.alerts) metrics.churnAlerts.inc({ band: alert.band });
          let waiting = 0;
          let handovers = 0;
          for (const owned of parts.values()) {
            waiting += owned.store.rescoresWaiting.size;
            handovers += awaitedHandovers(owned);
          }
          metrics.rescoresWaiting.set(waiting);
          metrics.handoversWaiting.set(handovers);
        } catch (err) {
          // The partition's state may hold the batch: restored before the redelivery, with a
          // producer claimed anew (fenced, then the changelog read, then the floor).
          parts.delete(partition);
          producers.release(batch.topic, partition);
          if (isFencedError(err)) await control.heartbeat();
          stageLog.error({ err, partition }, 'batch failed; not committed, the partition is restored');
          keepRestored();
          throw err;
        }
      });
    },
  });
  return {
    ...running,
    problems: () => [...running.problems(), ...dlqSummary.problems()],
    clickhouse,
    partitions: () => parts,
    stop: async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      ticker.stop();
      await running.stop();
      await turns.idle();
      await dlqSummary.stop();
      await producers.disconnectAll();
      await clickhouse.close();
      closeLeftSockets(kafka, stageLog);
    },
  };
}
