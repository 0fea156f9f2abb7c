// The journey stage's imperative shell: restores the identity graph from its compacted changelog,
// then consumes canonical events. Per batch: processJourneyBatch -> one Kafka transaction with the
// resolved events, identity changes, dead letters and the state changelog ending with the batch
// checkpoint, sent while the ClickHouse rows are inserted (one insert per table, dedup token from
// the batch's offsets) -> once the inserts are acknowledged, the offsets -> commit.
// A crash anywhere before the commit replays the batch: ClickHouse dedups it, and events already
// in the checkpointed state are skipped.
import type { ClickHouseClient } from '@clickhouse/client';
import type { PipelineConfig } from '../shared/config/config.ts';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import { runBatchConsumer, StaleMemberError } from '../shared/kafka/batch-consumer.ts';
import type { RunningConsumer } from '../shared/kafka/batch-consumer.ts';
import { closeLeftSockets, createKafka } from '../shared/kafka/kafka-client.ts';
import { createTransactionalProducer, isFencedError } from '../shared/kafka/producer.ts';
import type { TransactionalProducer } from '../shared/kafka/producer.ts';
import { singleOwnerAssigner } from '../shared/kafka/single-owner-assigner.ts';
import { readChangelog } from '../shared/kafka/read-changelog.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import type { PipelineMetrics } from '../shared/telemetry/metrics.ts';
import { countRecords } from '../shared/telemetry/metrics.ts';
import { journeyEventType } from '../shared/kafka/canonical-codec.ts';
import { registerCanonicalSchema } from '../ingest/ingest-service.ts';
import { registryLookup } from '../ingest/lookup-registry-schema.ts';
import { learnCanonicalWriters } from './learn-canonical-writers.ts';
import { commitJourneyBatch } from './commit-journey-batch.ts';
import { ReplayWindow } from './replay-window.ts';
import { DEFAULT_IDENTITY_CONFIG } from '../identity/identity-core.ts';
import type { IdentityConfig } from '../identity/identity-core.ts';
import { restoreIdentity } from '../resolver/restore-identity.ts';
import { dropStoredEvents } from '../sink/drop-stored-events.ts';
import { erasePersons, withoutErased } from '../sink/erase-person.ts';
import { journeyRows } from '../sink/rows/journey-rows.ts';
import { emptyBatchResult } from './journey-outputs.ts';
import { writeRows } from '../sink/write-rows.ts';
import { allInputsIdle, markersSeen } from './input-watermarks.ts';
import { emitStateOutputs, processJourneyBatch } from './journey-pipeline.ts';
import { emptyStepOutput } from './apply-journey-step.ts';
import { sweepTimersStep } from './sweep-timers-step.ts';
import type { JourneyBatchResult, JourneyStageState, JourneyTopology } from './journey-pipeline.ts';
import { startDlqSummary } from './dlq-summary-service.ts';
import { processIdentityCommands } from './identity-commands-pipeline.ts';
import { applyJourneyChangelog, createAccountStore } from './account-store.ts';
import type { AccountStore } from './account-store.ts';
import type { JourneyContext } from './apply-journey-step.ts';
import { loadJourneyMap } from './journey-map.ts';
import { loadChurnConfig } from '../churn/churn-config-file.ts';
import { startIdleTicker } from './idle-ticker.ts';

export function identityConfigFrom(config: PipelineConfig): IdentityConfig {
  return {
    ...DEFAULT_IDENTITY_CONFIG,
    maxIdentifiersPerPerson: config.IDENTITY_MAX_IDS_PER_PERSON,
    maxAccountsPerPerson: config.IDENTITY_MAX_ACCOUNTS_PER_PERSON,
    junkPattern: config.JUNK_IDENTIFIER_REGEX ? new RegExp(config.JUNK_IDENTIFIER_REGEX) : null,
  };
}

export async function restoreAccounts(config: PipelineConfig, log: Logger): Promise<AccountStore> {
  const kafka = createKafka(config, `${config.KAFKA_CLIENT_ID}-restore`, log);
  const store = createAccountStore();
  const applied = await readChangelog(kafka, config.TOPIC_JOURNEY_CHANGELOG, (entry) =>
    applyJourneyChangelog(store, entry.key, entry.value === null ? null : entry.value.toString('utf8')),
  );
  log.info({ applied, accounts: store.states.size, watermark: store.watermark }, 'journey state restored');
  return store;
}

export function journeyTopologyFrom(config: PipelineConfig, eventSchemaId: number): JourneyTopology {
  return {
    resolvedTopic: config.JOURNEY_RESOLVED_OUTPUT === 'off' ? null : config.TOPIC_RESOLVED,
    identityChangesTopic: config.TOPIC_IDENTITY_CHANGES,
    identityChangelogTopic: config.TOPIC_IDENTITY_CHANGELOG,
    journeyChangelogTopic: config.TOPIC_JOURNEY_CHANGELOG,
    churnAlertsTopic: config.TOPIC_CHURN_ALERTS,
    sweepIntervalMs: config.JOURNEY_SWEEP_MINUTES * 60_000,
    dlqTopic: config.TOPIC_DLQ,
    eventType: journeyEventType(),
    eventSchemaId,
  };
}

export function journeyContextFrom(config: PipelineConfig): JourneyContext {
  const churn = loadChurnConfig(config.CHURN_CONFIG_FILE);
  if (!churn.ok)
    throw new Error(`invalid churn config ${config.CHURN_CONFIG_FILE}:\n  ${churn.problems.join('\n  ')}`);
  return { map: loadJourneyMap(config.JOURNEY_MAP_FILE), churn: churn.config };
}

let bandsCountedAt = 0;

function recordJourneyMetrics(
  result: JourneyBatchResult,
  state: JourneyStageState,
  metrics: PipelineMetrics,
): void {
  for (const effect of result.effects) {
    if (effect.kind === 'merge') metrics.identityMerges.inc({ reason: effect.reason });
    if (effect.kind === 'refused_merge' || effect.kind === 'refused_link')
      metrics.refusedMerges.inc({ reason: effect.reason });
  }
  for (const { effect } of result.outputs.journeyEffects)
    if (effect.kind === 'transition') metrics.stageTransitions.inc({ to_stage: effect.to_stage });
  for (const alert of result.outputs.alerts) metrics.churnAlerts.inc({ band: alert.band });
  if (state.accounts.watermark > 0) metrics.watermark.set(state.accounts.watermark / 1000);
  metrics.rescoresWaiting.set(state.accounts.rescoresWaiting.size);
  // Accounts per band is a full scan: at most every 5 s.
  if (Date.now() - bandsCountedAt < 5_000) return;
  bandsCountedAt = Date.now();
  const bands: Record<string, number> = { healthy: 0, watch: 0, at_risk: 0 };
  for (const account of state.accounts.states.values()) {
    if (account.kind === 'account')
      bands[account.churn?.band ?? 'healthy'] = (bands[account.churn?.band ?? 'healthy'] ?? 0) + 1;
  }
  for (const [band, n] of Object.entries(bands)) metrics.churnAccounts.set({ band }, n);
}

export interface JourneyService extends RunningConsumer {
  clickhouse: ClickHouseClient;
  state: JourneyStageState;
}

export async function startJourneyService(
  config: PipelineConfig,
  log: Logger,
  metrics: PipelineMetrics,
): Promise<JourneyService> {
  const stageLog = log.child({ stage: 'journey' });
  const kafka = createKafka(config, `${config.KAFKA_CLIENT_ID}-journey-${config.INSTANCE_ID}`, stageLog);
  const clickhouse = createClickHouse(config, { database: null });
  const identityConfig = identityConfigFrom(config);
  const ctx = journeyContextFrom(config);
  const state: JourneyStageState = {
    graph: await restoreIdentity(config, stageLog),
    accounts: await restoreAccounts(config, stageLog),
  };
  metrics.unreadableStates.inc(state.accounts.unreadableStates);
  const topology = journeyTopologyFrom(config, await registerCanonicalSchema(config));
  topology.canonicalWriters = new Map();
  const lookupSchema = registryLookup({
    url: config.SCHEMA_REGISTRY_URL,
    username: config.SCHEMA_REGISTRY_USERNAME,
    password: config.SCHEMA_REGISTRY_PASSWORD,
  });
  // Fencing: the journey is one writer, and its transactional id is the writer's, not the
  // instance's. The member the group hands the partitions to initialises it before it restores
  // state or writes anything, which aborts whatever a previous owner left open and fences that
  // owner for good, even if it is only stalled (a zombie) and wakes up mid-batch. A standby holds
  // no producer, so it fences nobody.
  const writerId = `${config.JOURNEY_GROUP_ID}-writer`;
  let producer: TransactionalProducer | null = null;
  let owning = false;
  // Fencing cuts both ways: a member back from a stall longer than its session (memberFresh
  // false) initialises nothing, or it would fence the member the group gave the partitions to.
  const ensureProducer = async (memberFresh: () => boolean): Promise<TransactionalProducer> => {
    producer ??= await createTransactionalProducer(kafka, writerId, memberFresh);
    return producer;
  };
  const releaseProducer = (): void => {
    const held = producer;
    producer = null;
    void held?.disconnect().catch(() => undefined);
  };
  const dlqSummary = await startDlqSummary(config, kafka, clickhouse, stageLog, metrics);

  // Batches and wall-clock ticks take turns on the state.
  let turn: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const next = turn.then(work, work);
    turn = next.catch(() => undefined);
    return next;
  };
  let lastBatchAt = Date.now();
  // Per canonical partition: its last batch reached the end (within one transaction marker).
  const caughtUp = new Map<number, boolean>();
  let canonicalPartitions: number[] = [];
  // A rebalance can hand this instance a partition another instance has been writing: the state
  // restored earlier (at startup, or before the last rebalance) is then behind the changelogs.
  // After every group join, the next batch restores both changelogs first.
  let restoreNeeded = false;
  // After a restore, the first batches of each partition may replay events the previous owner
  // inserted but did not commit: they are left out of journey_events until a batch of that
  // partition has none stored (drop-stored-events.ts, replay-window.ts).
  const replay = new ReplayWindow();
  // The flag is cleared only once both changelogs are restored: a restore that fails leaves it set,
  // so the redelivered batch is never run against a state that already holds it (whose checkpoint
  // would skip every message and commit the offsets with no rows).
  const restoreIfNeeded = async (): Promise<void> => {
    if (!restoreNeeded) return;
    const graph = await restoreIdentity(config, stageLog);
    const accounts = await restoreAccounts(config, stageLog);
    state.graph = graph;
    state.accounts = accounts;
    state.accounts.inputPartitions = canonicalPartitions;
    restoreNeeded = false;
    replay.reopen();
    metrics.unreadableStates.inc(state.accounts.unreadableStates);
  };
  const idleMs = config.JOURNEY_IDLE_TICK_SECONDS * 1000;
  let memberFresh = (): boolean => false; // the consumer's, from its first join
  let joins = 0; // group joins: a tick begun before one writes nothing
  const tick = async (): Promise<void> => {
    // Only once caught up, here and upstream: a tick declares time up to now final, which must not
    // happen while a backlog of older events is still waiting (after a restart, or a replay of
    // history), in the canonical topic or in a raw partition the ingest has not drained.
    // A member back from a stall writes nothing: a tick's rows, versioned by the wall clock, would
    // outrank the rightful owner's for good.
    if (idleMs === 0 || !owning || Date.now() - lastBatchAt < idleMs || !memberFresh()) return;
    if ([...caughtUp.values()].some((done) => !done) || caughtUp.size === 0) return;
    if (markersSeen(state.accounts.inputs) && !allInputsIdle(state.accounts.inputs)) return;
    await exclusive(async () => {
      const writer = producer;
      if (!writer) return;
      const gen = joins;
      const owner = (): boolean => owning && gen === joins && memberFresh();
      await restoreIfNeeded();
      const now = Date.now() - ctx.map.lateness_minutes * 60_000;
      if (now <= state.accounts.watermark) return;
      state.accounts.watermark = now;
      const step = emptyStepOutput();
      // Ticks are rate-limited already: sweep every account now, not gated by the event-time interval.
      if (!sweepTimersStep(state.accounts, ctx, 0, step)) return;
      const result = emptyBatchResult();
      emitStateOutputs(state.accounts, step, topology, result, 0);
      const rows = journeyRows(result.outputs);
      try {
        await writer.sendWithOffsets([...result.messages, ...result.changelog], null, async () => {
          await writeRows(
            clickhouse,
            rows,
            { topic: 'wall-clock-tick', partition: 0, firstOffset: String(now), lastOffset: String(now) },
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
        stageLog.info(
          { watermark: new Date(now).toISOString(), effects: step.effects.length },
          'idle input: time advanced by the wall clock',
        );
      } catch (err) {
        // The state already holds the tick: it is restored before the next tick or batch.
        restoreNeeded = true;
        if (isFencedError(err)) releaseProducer();
        stageLog.error({ err }, 'wall-clock tick failed; state is restored before the next tick or batch');
      }
    });
  };
  const ticker = startIdleTicker(
    idleMs,
    tick,
    stageLog,
    'wall-clock tick could not restore state; retried at the next tick',
  );

  const running = await runBatchConsumer({
    kafka,
    groupId: config.JOURNEY_GROUP_ID,
    topics: [config.TOPIC_CANONICAL, config.TOPIC_IDENTITY_COMMANDS],
    stage: 'journey',
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    commitMode: 'transaction',
    log: stageLog,
    metrics,
    // Every partition to one member (single-owner-assigner.ts); the others are standbys.
    partitionAssigners: [singleOwnerAssigner(() => owning)],
    onGroupJoin: (assignment, member) => {
      memberFresh = member.memberFresh;
      joins++;
      restoreNeeded = true;
      caughtUp.clear();
      canonicalPartitions = [...(assignment[config.TOPIC_CANONICAL] ?? [])].sort((a, b) => a - b);
      owning = Object.values(assignment).some((partitions) => partitions.length > 0);
      if (!owning) releaseProducer();
    },
    handler: (batch, control) =>
      exclusive(async () => {
        // Fence any previous owner first, then restore what it committed.
        const producer = await ensureProducer(control.memberFresh);
        await restoreIfNeeded();
        lastBatchAt = Date.now();
        const last = batch.messages[batch.messages.length - 1]!;
        // Within one transaction marker of the end of the canonical partition.
        if (batch.topic === config.TOPIC_CANONICAL)
          caughtUp.set(batch.partition, BigInt(last.offset) + 2n >= BigInt(batch.highWatermark));
        const commands = batch.topic === config.TOPIC_IDENTITY_COMMANDS;
        // Frames written with another canonical schema (a rolling upgrade): learned before the batch.
        if (!commands)
          await learnCanonicalWriters(
            batch.messages,
            topology.eventType,
            topology.eventSchemaId,
            lookupSchema,
            topology.canonicalWriters!,
          );
        const commandResult = commands
          ? processIdentityCommands(batch.messages, state, topology, ctx, Date.now())
          : null;
        const result =
          commandResult ??
          processJourneyBatch(batch.messages, state, topology, identityConfig, ctx, Date.now());
        // Mapped at once, before any later batch moves the states the outputs refer to.
        const rows = withoutErased(journeyRows(result.outputs), commandResult?.erasures ?? []);
        try {
          if (commandResult && commandResult.erasures.length > 0) {
            // GDPR: every row naming a deleted person goes from every table (services/sink/erase-person.ts).
            if (!control.memberFresh()) throw new StaleMemberError(config.JOURNEY_GROUP_ID);
            await erasePersons(clickhouse, config.CLICKHOUSE_DATABASE, commandResult.erasures);
          }
          if (commandResult) stageLog.info({ outcomes: commandResult.outcomes }, 'identity commands applied');
          const events = rows.get('journey_events') as Array<{ event_id: string }> | undefined;
          if (!commands && replay.pending(batch.partition) && events && events.length > 0) {
            const kept = await dropStoredEvents(clickhouse, config.CLICKHOUSE_DATABASE, events);
            rows.set('journey_events', kept.rows);
            if (kept.stored === 0) replay.settle(batch.partition);
            else stageLog.info({ stored: kept.stored }, 'replayed events already in ClickHouse left out');
          }
          const committed = await commitJourneyBatch({
            batch,
            control,
            result,
            rows,
            producer,
            clickhouse,
            config,
            metrics,
            log: stageLog,
          });
          if (!committed) {
            // The partition moved mid-batch: its new owner redoes it (ClickHouse dedups the rows
            // written here); this instance's state holds the batch, so it is rebuilt first.
            stageLog.warn(
              { topic: batch.topic, partition: batch.partition },
              'partition revoked; batch not committed',
            );
            restoreNeeded = true;
            return;
          }
        } catch (err) {
          // The in-memory graph already holds this batch: rebuild it from the changelog so the
          // redelivery is processed against the state the changelog actually has.
          // The flag is set before anything else can fail: the next batch (this one, redelivered)
          // restores first, however often the restore itself fails.
          restoreNeeded = true;
          // Drop the producer (fenced: a newer owner holds the writer's id). The next batch creates
          // one (fencing, only while this member is fresh) before it restores the state.
          releaseProducer();
          stageLog.error(
            { err, topic: batch.topic, partition: batch.partition },
            'batch failed; not committed, state is restored before the redelivery',
          );
          throw err;
        }
        countRecords(metrics, 'journey', result.counts);
        recordJourneyMetrics(result, state, metrics);
      }),
  });
  return {
    ...running,
    problems: () => [...running.problems(), ...dlqSummary.problems()],
    clickhouse,
    state,
    stop: async () => {
      ticker.stop();
      await running.stop();
      await dlqSummary.stop();
      await producer?.disconnect();
      await clickhouse.close();
      closeLeftSockets(kafka, stageLog);
    },
  };
}
