// The route stage's imperative shell (JOURNEY_TOPOLOGY=partitioned; docs/architecture.md): one
// writer that restores the identity graph and its routed person keys from the identity changelog,
// then consumes the canonical events. Per batch: processRouteBatch -> one Kafka transaction with the
// resolved records (events by account, moves, expects, forwarded markers), identity changes, dead
// letters and the identity changelog ending with the batch checkpoint, committed once the batch's
// identity rows are in ClickHouse (commit-journey-batch.ts) -> the offsets. Fenced as the
// single-writer journey is: one transactional id for the stage, standbys hold no producer.
import type { PipelineConfig } from '../shared/config/config.ts';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import { runBatchConsumer, StaleMemberError } from '../shared/kafka/batch-consumer.ts';
import type { RunningConsumer } from '../shared/kafka/batch-consumer.ts';
import { closeLeftSockets, createKafka } from '../shared/kafka/kafka-client.ts';
import { commitOrRestore } from '../shared/kafka/commit-or-restore.ts';
import { createTransactionalProducer } from '../shared/kafka/producer.ts';
import type { TransactionalProducer } from '../shared/kafka/producer.ts';
import { singleOwnerAssigner } from '../shared/kafka/single-owner-assigner.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import type { PipelineMetrics } from '../shared/telemetry/metrics.ts';
import { countRecords } from '../shared/telemetry/metrics.ts';
import { journeyEventType } from '../shared/kafka/canonical-codec.ts';
import { registerCanonicalSchema } from '../ingest/ingest-service.ts';
import { registryLookup } from '../ingest/lookup-registry-schema.ts';
import { restoreIdentity } from '../resolver/restore-identity.ts';
import { journeyRows } from '../sink/rows/journey-rows.ts';
import { commitJourneyBatch } from './commit-journey-batch.ts';
import { identityConfigFrom } from './journey-service.ts';
import { learnCanonicalWriters } from './learn-canonical-writers.ts';
import { processRouteBatch, processRouteCommands } from './route-pipeline.ts';
import { erasePersons, withoutErased } from '../sink/erase-person.ts';
import type { RouteStageState, RouteTopology } from './route-pipeline.ts';
import { createRouteState } from './route-resolved.ts';

export async function topicPartitions(config: PipelineConfig, topic: string, log: Logger): Promise<number> {
  const admin = createKafka(config, `${config.KAFKA_CLIENT_ID}-metadata`, log).admin();
  await admin.connect();
  try {
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    return meta?.partitions.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}

async function restoreRouteStage(config: PipelineConfig, log: Logger): Promise<RouteStageState> {
  const route = createRouteState();
  const graph = await restoreIdentity(config, log, config.TOPIC_IDENTITY_CHANGELOG, (person, routed) => {
    if (routed) route.personKeyed.add(person);
    else route.personKeyed.delete(person);
  });
  return { graph, route };
}

export interface RouteService extends RunningConsumer {
  state(): RouteStageState;
}

export async function startRouteService(
  config: PipelineConfig,
  log: Logger,
  metrics: PipelineMetrics,
): Promise<RouteService> {
  const stageLog = log.child({ stage: 'route' });
  const kafka = createKafka(config, `${config.KAFKA_CLIENT_ID}-route-${config.INSTANCE_ID}`, stageLog);
  const clickhouse = createClickHouse(config, { database: null });
  const identityConfig = identityConfigFrom(config);
  const eventType = journeyEventType();
  const eventSchemaId = await registerCanonicalSchema(config);
  const partitions = await topicPartitions(config, config.TOPIC_RESOLVED, stageLog);
  if (partitions === 0) throw new Error(`topic ${config.TOPIC_RESOLVED} does not exist: run journey topics`);
  const topology: RouteTopology = {
    identityChangelogTopic: config.TOPIC_IDENTITY_CHANGELOG,
    identityChangesTopic: config.TOPIC_IDENTITY_CHANGES,
    dlqTopic: config.TOPIC_DLQ,
    eventType,
    canonicalWriters: new Map(),
    resolved: { topic: config.TOPIC_RESOLVED, partitions, eventType, eventSchemaId },
  };
  const lookupSchema = registryLookup({
    url: config.SCHEMA_REGISTRY_URL,
    username: config.SCHEMA_REGISTRY_USERNAME,
    password: config.SCHEMA_REGISTRY_PASSWORD,
  });
  let state = await restoreRouteStage(config, stageLog);
  let producer: TransactionalProducer | null = null;
  let owning = false;
  const releaseProducer = (): void => {
    const held = producer;
    producer = null;
    void held?.disconnect().catch(() => undefined);
  };
  // After every group join, and after a batch that did not commit: restore before the next batch.
  let restoreNeeded = false;

  const running = await runBatchConsumer({
    kafka,
    groupId: config.ROUTE_GROUP_ID,
    topics: [config.TOPIC_CANONICAL, config.TOPIC_IDENTITY_COMMANDS],
    stage: 'route',
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    commitMode: 'transaction',
    log: stageLog,
    metrics,
    partitionAssigners: [singleOwnerAssigner(() => owning)],
    onGroupJoin: (assignment) => {
      restoreNeeded = true;
      owning = Object.values(assignment).some((assigned) => assigned.length > 0);
      if (!owning) releaseProducer();
    },
    handler: async (batch, control) => {
      // Fence any previous owner first, then restore what it committed.
      producer ??= await createTransactionalProducer(
        kafka,
        `${config.ROUTE_GROUP_ID}-writer`,
        control.memberFresh,
      );
      if (restoreNeeded) {
        state = await restoreRouteStage(config, stageLog);
        restoreNeeded = false;
      }
      const commands = batch.topic === config.TOPIC_IDENTITY_COMMANDS;
      if (!commands)
        await learnCanonicalWriters(
          batch.messages,
          eventType,
          eventSchemaId,
          lookupSchema,
          topology.canonicalWriters!,
        );
      const commandResult = commands
        ? processRouteCommands(batch.messages, state, topology, Date.now())
        : null;
      const result =
        commandResult ?? processRouteBatch(batch.messages, state, topology, identityConfig, Date.now());
      const erasures = commandResult?.erasures ?? [];
      const writer = producer;
      const committed = await commitOrRestore(
        async () => {
          // GDPR: every row naming a deleted person goes from every table now; each state
          // partition erases again once it has applied every event routed before the deletion.
          if (erasures.length > 0) {
            if (!control.memberFresh()) throw new StaleMemberError(config.ROUTE_GROUP_ID);
            await erasePersons(clickhouse, config.CLICKHOUSE_DATABASE, erasures);
          }
          if (commandResult) stageLog.info({ outcomes: commandResult.outcomes }, 'identity commands applied');
          return commitJourneyBatch({
            batch,
            control,
            result,
            rows: withoutErased(journeyRows(result.outputs), erasures),
            producer: writer,
            clickhouse,
            config,
            metrics,
            log: stageLog,
            groupId: config.ROUTE_GROUP_ID,
          });
        },
        {
          restore: () => void (restoreNeeded = true),
          releaseProducer,
          log: stageLog,
          partition: batch.partition,
          revoked: 'partition',
          restored: 'state',
        },
      );
      if (!committed) return;
      countRecords(metrics, 'route', result.counts);
      for (const effect of result.effects) {
        if (effect.kind === 'merge') metrics.identityMerges.inc({ reason: effect.reason });
        if (effect.kind === 'refused_merge' || effect.kind === 'refused_link')
          metrics.refusedMerges.inc({ reason: effect.reason });
      }
    },
  });
  return {
    ...running,
    state: () => state,
    stop: async () => {
      await running.stop();
      await producer?.disconnect();
      await clickhouse.close();
      closeLeftSockets(kafka, stageLog);
    },
  };
}
