// The identity resolver's imperative shell (docs/architecture.md, step 3): restores the graph from
// the identity table, then consumes the link facts. Per batch: processLinkBatch -> one Kafka
// transaction with the dead letters, the table records ending with the batch's checkpoint, and the
// links offsets. A crash before the commit replays the batch against the restored graph, whose
// checkpoint skips what the table already holds. One writer: its transactional id is the
// resolver's, not the instance's, so whoever takes the links partition fences the previous owner
// (a zombie included) before it restores or writes anything; other instances are standbys.
import type { PipelineConfig } from '../shared/config/config.ts';
import { commitAllowed, offsetAfter, runBatchConsumer } from '../shared/kafka/batch-consumer.ts';
import type { RunningConsumer } from '../shared/kafka/batch-consumer.ts';
import { closeLeftSockets, createKafka } from '../shared/kafka/kafka-client.ts';
import { commitOrRestore } from '../shared/kafka/commit-or-restore.ts';
import { createTransactionalProducer } from '../shared/kafka/producer.ts';
import type { TransactionalProducer } from '../shared/kafka/producer.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import type { PipelineMetrics } from '../shared/telemetry/metrics.ts';
import { countRecords } from '../shared/telemetry/metrics.ts';
import type { IdentityGraph } from '../identity/identity-core.ts';
import { identityConfigFrom } from '../journey/journey-service.ts';
import { processLinkBatch } from './resolver-pipeline.ts';
import { restoreIdentity } from './restore-identity.ts';

export interface ResolverService extends RunningConsumer {
  /** The resolver's graph (tests compare it with the journey's). */
  graph(): IdentityGraph;
}

export async function startResolverService(
  config: PipelineConfig,
  log: Logger,
  metrics: PipelineMetrics,
): Promise<ResolverService> {
  const stageLog = log.child({ stage: 'resolver' });
  const kafka = createKafka(config, `${config.KAFKA_CLIENT_ID}-resolver-${config.INSTANCE_ID}`, stageLog);
  const identityConfig = identityConfigFrom(config);
  const topology = { tableTopic: config.TOPIC_IDENTITY_TABLE, dlqTopic: config.TOPIC_DLQ };
  let graph = await restoreIdentity(config, stageLog, config.TOPIC_IDENTITY_TABLE);
  let producer: TransactionalProducer | null = null;
  const releaseProducer = (): void => {
    const held = producer;
    producer = null;
    void held?.disconnect().catch(() => undefined);
  };
  // Set at every group join and after any batch that did not commit: the next batch restores the
  // graph from the table first, so it never runs against a graph holding uncommitted changes.
  let restoreNeeded = false;

  const running = await runBatchConsumer({
    kafka,
    groupId: config.RESOLVER_GROUP_ID,
    topics: [config.TOPIC_IDENTITY_LINKS],
    stage: 'resolver',
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    commitMode: 'transaction',
    log: stageLog,
    metrics,
    onGroupJoin: (assignment) => {
      restoreNeeded = true;
      if (Object.values(assignment).every((partitions) => partitions.length === 0)) releaseProducer();
    },
    handler: async (batch, control) => {
      // Fence any previous owner first, then restore what it committed.
      producer ??= await createTransactionalProducer(
        kafka,
        `${config.RESOLVER_GROUP_ID}-writer`,
        control.memberFresh,
      );
      if (restoreNeeded) {
        graph = await restoreIdentity(config, stageLog, config.TOPIC_IDENTITY_TABLE);
        restoreNeeded = false;
      }
      const result = processLinkBatch(batch.messages, graph, topology, identityConfig, Date.now());
      const writer = producer;
      const committed = await commitOrRestore(
        () =>
          writer.sendWithOffsets(
            [...result.messages, ...result.table, ...result.checkpoint],
            {
              groupId: config.RESOLVER_GROUP_ID,
              topic: batch.topic,
              partition: batch.partition,
              offset: offsetAfter(batch),
            },
            async () => commitAllowed(control, config.RESOLVER_GROUP_ID),
          ),
        {
          restore: () => void (restoreNeeded = true),
          releaseProducer,
          log: stageLog,
          partition: batch.partition,
          revoked: 'links partition',
          restored: 'the graph',
        },
      );
      if (!committed) return;
      countRecords(metrics, 'resolver', result.counts);
      // Merges are still counted by the journey stage, which resolves every event itself.
    },
  });
  return {
    ...running,
    graph: () => graph,
    stop: async () => {
      await running.stop();
      await producer?.disconnect();
      closeLeftSockets(kafka, stageLog);
    },
  };
}
