// We own batch and commit boundaries (house style 5): for each fetched batch, the handler runs
// the steps and awaits every output (Kafka and ClickHouse); only then is the batch's last offset
// resolved and committed. A handler that throws commits nothing: the consumer restarts from the
// last committed offset, so nothing is lost (outputs are idempotent, so nothing is double-counted).
import type { Consumer, EachBatchPayload, Kafka, PartitionAssigner } from 'kafkajs';
import type { Logger } from '../telemetry/logger.ts';
import { startLagMonitor } from './lag-monitor.ts';
import type { PipelineMetrics } from '../telemetry/metrics.ts';
import { describeLostOffsets } from './lost-offsets.ts';
import { guardOffsetResets } from './offset-reset-guard.ts';
import { MarkerCommitter } from './marker-offsets.ts';
import { PartitionHealth } from './partition-health.ts';

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | undefined>;
  timestampMs: number;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  highWatermark: string;
  /** The offset to commit once the batch is done: past its last message and past the transaction
   *  markers (or aborted records) its fetch held after it (marker-offsets.ts). Absent: last + 1. */
  nextOffset?: string;
}

/** The offset to commit once `batch` is done (its nextOffset; else its last message + 1). */
export function offsetAfter(batch: Pick<ConsumedBatch, 'messages' | 'nextOffset'>): string {
  return batch.nextOffset ?? (BigInt(batch.messages[batch.messages.length - 1]!.offset) + 1n).toString();
}

export interface BatchControl {
  heartbeat(): Promise<void>;
  /** True when a rebalance took the partition away: stop work, commit nothing. */
  isStale(): boolean;
  /** False once no heartbeat has succeeded for a session timeout: the group may have handed the
   *  partition to another member (this process was stalled: GC, SIGSTOP, a frozen VM), whatever
   *  kafkajs still believes. Checked right before writes no transaction can fence (ClickHouse). */
  memberFresh(): boolean;
}

/** This member went a session timeout without a heartbeat: its partition may be another's now. */
export class StaleMemberError extends Error {
  /** `member` names what went stale: a consumer group, or a transactional producer of one. */
  constructor(member: string) {
    super(`no heartbeat of ${member} for a session timeout: this member may no longer own its partition`);
    this.name = 'StaleMemberError';
  }
}

/**
 * A commit gate's last word on a batch of a transaction-mode handler. False when a rebalance took
 * the partition (isStale): nothing is committed and the batch consumer leaves the batch
 * unresolved, for its new owner. A member past its freshness margin but not (yet) rebalanced
 * throws StaleMemberError: a handler that returned instead would let the batch consumer resolve
 * the batch, its next batch would commit offsets past it, and the uncommitted batch would be lost
 * (commit-gate-stale-member.test.ts).
 */
export function commitAllowed(control: BatchControl, member: string): boolean {
  if (control.isStale()) return false;
  if (!control.memberFresh()) throw new StaleMemberError(member);
  return true;
}

export type BatchHandler = (batch: ConsumedBatch, control: BatchControl) => Promise<void>;

export interface BatchConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  stage: string;
  handler: BatchHandler;
  log: Logger;
  metrics?: PipelineMetrics;
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  /** 'consumer' (default): commit after the handler resolved. 'transaction': the handler commits
   *  the offsets itself inside a Kafka transaction (TransactionalProducer.sendWithOffsets). */
  commitMode?: 'consumer' | 'transaction';
  /** Called when the consumer stopped for good (a non-retriable error); default: exit the process. */
  onFatal?: (err: Error) => void;
  /** Called on every group join (each rebalance), before the next batch is delivered. */
  onGroupJoin?: (
    assignment: Readonly<Record<string, readonly number[]>>,
    member: { memberFresh(): boolean },
  ) => void;
  /** How partitions are shared among the group's members (default: kafkajs round robin). */
  partitionAssigners?: PartitionAssigner[];
  /** Called after a batch's offsets were committed (nextOffset = last offset + 1). */
  onCommitted?: (topic: string, partition: number, nextOffset: bigint) => void;
  /** How often the lag of the owned partitions is read from the broker (lag-monitor.ts; default 10 s). */
  lagIntervalMs?: number;
  /** Batches of different partitions handled at once (kafkajs partitionsConsumedConcurrently;
   *  default 1). Never two of one partition. Only for a handler whose partitions share nothing
   *  that needs order (the ingest and the journey's state step: a transactional producer per
   *  partition). */
  partitionsConcurrently?: number;
  /** A fetch returns once this many bytes are ready across its partitions, or after
   *  `fetchMaxWaitMs` (Kafka's fetch.min.bytes / fetch.max.wait.ms; default 1 byte, 1 s): larger
   *  batches, fewer of them, for at most that wait. */
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
}

export interface RunningConsumer {
  consumer: Consumer;
  stop(): Promise<void>;
  /** Resolves once the group has assigned partitions to this member at least once. */
  joined: Promise<void>;
  /** Partitions that cannot make progress, one line each (empty when all progress): /readyz. */
  problems(): string[];
  /** BatchControl.memberFresh outside a batch: a wall-clock tick checks it before any write. */
  memberFresh(): boolean;
}

function toHeaders(
  headers: EachBatchPayload['batch']['messages'][number]['headers'],
): Record<string, Buffer | undefined> {
  const out: Record<string, Buffer | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    out[name] = Array.isArray(value)
      ? (value[0] as Buffer | undefined)
      : typeof value === 'string'
        ? Buffer.from(value)
        : value;
  }
  return out;
}

const exitOnFatal =
  (log: Logger) =>
  (err: Error): void => {
    log.fatal({ err }, 'consumer stopped for good; exiting without committing the failed batch');
    process.exit(1);
  };

const HEARTBEAT_MS = 3_000;
const FETCH_WAIT_MS = 1_000;

/** The consumer's logger: the stage's logger usually names the stage already, so each key is
 *  bound once (pino writes a repeated key twice). */
export function consumerLogger(log: Logger, stage: string, groupId: string): Logger {
  return log.child({ ...('stage' in log.bindings() ? {} : { stage }), groupId });
}

export async function runBatchConsumer(options: BatchConsumerOptions): Promise<RunningConsumer> {
  const { kafka, groupId, topics, stage, handler, metrics } = options;
  const log = consumerLogger(options.log, stage, groupId);
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: HEARTBEAT_MS,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
    // How long a fetch waits at the broker for data (kafkajs's default is 5 s). With the default
    // min bytes a fetch returns as soon as there is data, so this is no latency under load; but a
    // stop, and the rejoin a rebalance asks for, first wait for the fetch in flight: up to 5 s per
    // consumer on a quiet topic (a graceful stop of the journey took ~7 s). A stage that sets
    // fetchMinBytes (the ingest) lingers up to its own max wait for that many bytes.
    maxWaitTimeInMs: options.fetchMaxWaitMs ?? FETCH_WAIT_MS,
    minBytes: options.fetchMinBytes ?? 1,
    retry: { retries: 8 },
    ...(options.partitionAssigners ? { partitionAssigners: options.partitionAssigners } : {}),
  });
  let resolveJoined: () => void = () => undefined;
  const joined = new Promise<void>((resolve) => (resolveJoined = resolve));
  const health = new PartitionHealth(groupId, metrics);
  let memberId: string | null = null;
  // An offset the broker no longer has is never reset silently: the partition stops, the lost
  // range is reported (log, metric, /readyz), and an operator decides (docs/reliability.md).
  const unguard = guardOffsetResets(
    groupId,
    () => memberId,
    ({ topic, partition }) => {
      health.block(topic, partition, 'offsets_lost', 'offset out of range; reading the lost range');
      describeLostOffsets(kafka, groupId, topic, partition).then(
        (lost) => {
          health.block(topic, partition, 'offsets_lost', lost.description);
          metrics?.offsetsLost.set(
            { group: groupId, topic, partition: String(partition) },
            Number(lost.lost),
          );
          log.error(
            {
              topic,
              partition,
              committed: lost.committed?.toString() ?? null,
              logStart: lost.logStart.toString(),
              logEnd: lost.logEnd.toString(),
              lost: lost.lost.toString(),
            },
            `offsets lost: ${lost.description}; partition stopped, nothing committed — an operator decides (docs/reliability.md)`,
          );
        },
        (err: unknown) => log.error({ topic, partition, err }, 'offset out of range; partition stopped'),
      );
    },
  );
  let assignment: Readonly<Record<string, readonly number[]>> = {};
  // Markers at a partition's end are committed past once it is idle (marker-offsets.ts), between
  // batches: a batch waits for that commit, so the group's offsets never go backwards.
  const markers = new MarkerCommitter(
    (commits) =>
      consumer.commitOffsets(
        commits.map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset.toString() })),
      ),
    (err) => log.warn({ err }, 'committing past transaction markers failed; retried'),
  );
  let joins = 0;
  const lag = startLagMonitor({
    kafka,
    groupId,
    owned: () => assignment,
    log,
    ...(metrics ? { metrics } : {}),
    ...(options.lagIntervalMs !== undefined ? { intervalMs: options.lagIntervalMs } : {}),
    // A reading begun since the last rebalance says where the consumer started on the partitions
    // it has committed nothing on yet.
    epoch: () => joins,
    onPositions: (topic, positions, epoch) => {
      if (epoch !== joins) return;
      for (const partition of assignment[topic] ?? []) {
        const position = positions.find((p) => p.partition === partition);
        if (position) markers.offsets.brokerCommitted(topic, partition, BigInt(position.committed));
      }
    },
  });
  let lastHeartbeatAt = Date.now();
  // A margin of one heartbeat interval under the session timeout.
  const memberFresh = (): boolean => Date.now() - lastHeartbeatAt < sessionTimeoutMs - HEARTBEAT_MS;
  consumer.on(consumer.events.HEARTBEAT, () => void (lastHeartbeatAt = Date.now()));
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    // kafkajs hands no batch of markers (or aborted records) alone to eachBatch.
    if (payload.batchSize !== 0 || payload.firstOffset === null) return;
    markers.filteredFetch(
      payload.topic,
      payload.partition,
      BigInt(payload.firstOffset),
      BigInt(payload.lastOffset),
    );
  });
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    joins++;
    markers.clear();
    lastHeartbeatAt = Date.now();
    memberId = event.payload.memberId;
    metrics?.rebalances.inc({ group: groupId });
    log.info({ assignment: event.payload.memberAssignment }, 'partitions assigned');
    assignment = event.payload.memberAssignment;
    options.onGroupJoin?.(event.payload.memberAssignment, { memberFresh });
    resolveJoined();
    void lag.measure().catch(() => undefined);
  });
  consumer.on(consumer.events.CRASH, (event) => {
    log.error({ err: event.payload.error, restart: event.payload.restart }, 'consumer crashed');
    // kafkajs restarts the consumer after retriable errors; after a non-retriable one it stops for
    // good. Nothing was committed for the failed batch: the owner decides (the CLI exits, so the
    // orchestrator restarts the process from the committed offsets).
    if (!event.payload.restart) (options.onFatal ?? exitOnFatal(log))(event.payload.error);
  });
  await consumer.connect();
  for (const topic of topics)
    await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: Math.max(1, options.partitionsConcurrently ?? 1),
    eachBatch: async (payload) => {
      const { batch } = payload;
      if (batch.messages.length === 0) return;
      await markers.beforeBatch(batch.topic, batch.partition);
      try {
        await consumeBatch(payload);
      } finally {
        markers.afterBatch(batch.topic, batch.partition);
      }
    },
  });
  async function consumeBatch({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
    commitOffsetsIfNecessary,
  }: EachBatchPayload): Promise<void> {
    const started = process.hrtime.bigint();
    const last = batch.messages[batch.messages.length - 1]!;
    // Past the last message and past the markers (or aborted records) the fetch held after it.
    const afterFetch = BigInt(batch.lastOffset()) + 1n;
    const next = afterFetch > BigInt(last.offset) + 1n ? afterFetch : BigInt(last.offset) + 1n;
    const messages: ConsumedMessage[] = batch.messages.map((m) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: m.offset,
      key: m.key,
      value: m.value,
      headers: toHeaders(m.headers),
      timestampMs: Number(m.timestamp),
    }));
    // Lag is set from the fetch before the work, and read from the broker every lagIntervalMs
    // (lag-monitor.ts), so it keeps growing while a batch retries or the stage is stuck.
    const lagLabels = { group: groupId, topic: batch.topic, partition: String(batch.partition) };
    metrics?.consumerLag.set(lagLabels, Number(BigInt(batch.highWatermark) - BigInt(messages[0]!.offset)));
    // Long work inside the handler (a changelog restore, ClickHouse retries through an outage)
    // must not cost the partition: the member keeps heartbeating while the handler runs, so a
    // ClickHouse brown-out is a slow batch, not a rebalance storm. A heartbeat that reports a
    // rebalance is ignored here: isStale() tells the handler, and nothing is committed.
    const beating = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_MS);
    try {
      await handler(
        {
          topic: batch.topic,
          partition: batch.partition,
          messages,
          highWatermark: batch.highWatermark,
          nextOffset: next.toString(),
        },
        {
          heartbeat,
          isStale: () => isStale() || !isRunning(),
          memberFresh,
        },
      );
    } catch (err) {
      health.block(
        batch.topic,
        batch.partition,
        'batch_failing',
        err instanceof Error ? err.message : String(err),
      );
      // A member that went a session without a heartbeat (the broker restarted, the process
      // stalled) writes nothing until it hears from the coordinator, and kafkajs retries a failed
      // batch with backoff but rejoins only on a rebalance error: the heartbeat is asked for now.
      // Its UNKNOWN_MEMBER_ID or rebalance error (thrown instead) makes kafkajs rejoin at once; its
      // success makes the member fresh again for the retry. Without it every retry refused, the
      // consumer crashed after its 8 retries and restarted 30 s later: ~90 s stopped after a broker
      // restart (the chaos suite's broker_restart).
      if (!memberFresh()) {
        clearInterval(beating);
        await heartbeat();
      }
      throw err;
    } finally {
      clearInterval(beating);
    }
    health.clear(batch.topic, batch.partition, 'batch_failing');
    if (isStale() || !isRunning()) return; // the partition moved: the new owner redoes the batch
    resolveOffset(last.offset);
    if (options.commitMode !== 'transaction') {
      await commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: next.toString() }],
          },
        ],
      });
    }
    // The handler committed `next` (in transaction mode through offsetAfter(batch)).
    options.onCommitted?.(batch.topic, batch.partition, next);
    markers.offsets.batchCommitted(batch.topic, batch.partition, next, next);
    metrics?.batchDuration.observe({ stage }, Number(process.hrtime.bigint() - started) / 1e9);
    metrics?.consumerLag.set(lagLabels, Number(BigInt(batch.highWatermark) - next));
    await heartbeat();
  }
  return {
    consumer,
    joined,
    problems: () => health.problems(),
    memberFresh,
    stop: async () => {
      unguard();
      // A commit of markers in flight is not waited for: it only tidies offsets (the next owner
      // skips those markers anyway), and one retrying through an outage would hold the stop.
      markers.stop();
      await lag.stop();
      await consumer.disconnect();
    },
  };
}
