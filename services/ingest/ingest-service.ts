// The ingest stage's imperative shell: consumes the four raw topics, runs processIngestBatch,
// writes canonical events and dead letters (awaited, acks=all), and only then lets the batch
// consumer commit. Telemetry: records by result and reason, DLQ counts, junk identifiers.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { PipelineConfig } from '../shared/config/config.ts';
import { offsetAfter, runBatchConsumer } from '../shared/kafka/batch-consumer.ts';
import type { RunningConsumer } from '../shared/kafka/batch-consumer.ts';
import { closeLeftSockets, createKafka } from '../shared/kafka/kafka-client.ts';
import { PartitionProducers } from '../shared/kafka/partition-producers.ts';
import type { PartitionClaim } from '../shared/kafka/partition-producers.ts';
import { createTransactionalProducer, isFencedError, sendTurns } from '../shared/kafka/producer.ts';
import type { TransactionalProducer } from '../shared/kafka/producer.ts';
import { TransientFault } from '../shared/bulkhead.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import type { PipelineMetrics } from '../shared/telemetry/metrics.ts';
import { countRecords } from '../shared/telemetry/metrics.ts';
import type { DedupWindow } from './dedup-window.ts';
import { DedupWindows } from './dedup-windows.ts';
import { journeyEventSchemaText, journeyEventType } from '../shared/kafka/canonical-codec.ts';
import type { IngestConfig, InputSource } from './ingest-config.ts';
import { processIngestBatch } from './ingest-pipeline.ts';
import type { IngestTopology } from './ingest-pipeline.ts';
import { registryLookup } from './lookup-registry-schema.ts';
import { warmDedupWindows } from './warm-dedup-windows.ts';
import { parseExchangeRates } from './convert-mrr.ts';
import type { WatermarkMarker } from '../shared/kafka/watermark-marker.ts';
import { IngestWatermarks } from './ingest-watermarks.ts';
import { sourceOf } from './source-progress.ts';
import { LinkFactFilter } from '../identity/link-facts.ts';

export function ingestConfigFrom(config: PipelineConfig): IngestConfig {
  return {
    limits: {
      maxMessageBytes: config.INGEST_MAX_MESSAGE_BYTES,
      maxPropertyCount: config.INGEST_MAX_PROPERTIES,
      maxDepth: config.INGEST_MAX_DEPTH,
      maxStringLength: config.INGEST_MAX_STRING_LENGTH,
      maxIdentifierLength: config.INGEST_MAX_IDENTIFIER_LENGTH,
      maxPastDays: config.INGEST_MAX_PAST_DAYS,
      maxFutureMinutes: config.INGEST_MAX_FUTURE_MINUTES,
    },
    pii: { emailHmacKey: config.PII_HMAC_KEY, keepRawPii: config.PII_KEEP_RAW },
    mrrCurrency: { currency: config.MRR_CURRENCY, rates: parseExchangeRates(config.MRR_EXCHANGE_RATES) },
    ...(config.JUNK_IDENTIFIER_REGEX
      ? { junkIdentifierPattern: new RegExp(config.JUNK_IDENTIFIER_REGEX) }
      : {}),
  };
}

export function schemaRegistry(config: PipelineConfig): SchemaRegistry {
  return new SchemaRegistry({
    host: config.SCHEMA_REGISTRY_URL,
    ...(config.SCHEMA_REGISTRY_USERNAME
      ? {
          auth: {
            username: config.SCHEMA_REGISTRY_USERNAME,
            password: config.SCHEMA_REGISTRY_PASSWORD ?? '',
          },
        }
      : {}),
  });
}

/** Registers the canonical schema (idempotent) and returns its id. Stages that start together
 *  race to register the subject's first version, and the registry can answer one of them with an
 *  error (Apicurio: "Compatibility does not match the configuration"); the schema is there by then,
 *  so its id is looked up instead, with a short back-off while the registry settles. */
export async function registerCanonicalSchema(config: PipelineConfig): Promise<number> {
  const registry = schemaRegistry(config);
  const schema = journeyEventSchemaText();
  const subject = `${config.TOPIC_CANONICAL}-value`;
  for (let attempt = 0; ; attempt++) {
    try {
      return (await registry.register({ type: SchemaType.AVRO, schema }, { subject })).id;
    } catch (err) {
      const id = await registry
        .getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema })
        .catch(() => null);
      if (id !== null) return id;
      if (attempt >= 6) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
}

/** The commit gate refused: the partition was revoked or this member went a session without a
 *  heartbeat. Nothing was committed; the batch is redelivered (or redone by the new owner). */
export class StaleBatchError extends TransientFault {
  constructor(topic: string, partition: number) {
    super(`batch of ${topic}[${partition}] not committed: the partition may have moved to another member`);
    this.name = 'StaleBatchError';
  }
}

export async function startIngestService(
  config: PipelineConfig,
  log: Logger,
  metrics: PipelineMetrics,
): Promise<RunningConsumer> {
  const stageLog = log.child({ stage: 'ingest' });
  const kafka = createKafka(config, `${config.KAFKA_CLIENT_ID}-ingest-${config.INSTANCE_ID}`, stageLog);
  const ingestConfig = ingestConfigFrom(config);
  const sourceByTopic = new Map<string, InputSource>([
    [config.TOPIC_BEHAVIOR, 'behavior'],
    [config.TOPIC_TICKETS, 'tickets'],
    [config.TOPIC_SURVEYS, 'surveys'],
    [config.TOPIC_BILLING, 'billing'],
  ]);
  const topology: IngestTopology = {
    sourceByTopic,
    canonicalTopic: config.TOPIC_CANONICAL,
    dlqTopic: config.TOPIC_DLQ,
    canonicalType: journeyEventType(),
    canonicalSchemaId: await registerCanonicalSchema(config),
    ...(config.IDENTITY_RESOLVER === 'on'
      ? { links: { topic: config.TOPIC_IDENTITY_LINKS, filter: new LinkFactFilter() } }
      : {}),
  };
  const lookup = registryLookup({
    url: config.SCHEMA_REGISTRY_URL,
    username: config.SCHEMA_REGISTRY_USERNAME,
    password: config.SCHEMA_REGISTRY_PASSWORD,
  });
  // One transactional producer per raw partition (partition-producers.ts): whoever takes a
  // partition over fences its previous owner. The negative control fences by instance instead.
  // With the resolver on, the partitions' transactions send in turn: two batches' link facts and
  // canonical events then lie in one order in both topics, so the resolver applies the merges in
  // the journey's order (interleaved, the two could differ: docs/architecture.md, step 3). Only the
  // sends queue; the commits still overlap.
  const producers = new PartitionProducers(
    kafka,
    config.INGEST_GROUP_ID,
    topology.links ? sendTurns() : undefined,
  );
  // The zombie fault's negative control, the writer as it was: one transactional id per instance,
  // no floor, no check of the member's freshness.
  const fenceByInstance = config.UNSAFE_NEGATIVE_CONTROL === 'fence_by_instance';
  let instanceProducer: Promise<TransactionalProducer> | null = null;
  // A claim outside a batch (an idle marker) asks the consumer whether this member is still fresh.
  let consumerFresh = (): boolean => false;
  const claim = async (
    topic: string,
    partition: number,
    memberFresh = (): boolean => consumerFresh(),
  ): Promise<PartitionClaim> => {
    if (!fenceByInstance) return producers.claim(topic, partition, memberFresh);
    instanceProducer ??= createTransactionalProducer(
      kafka,
      `${config.INGEST_GROUP_ID}-${config.INSTANCE_ID}`,
      () => true,
    );
    return { producer: await instanceProducer, floor: 0n };
  };
  // One dedup window per owned topic-partition (dedup-windows.ts).
  const windows = new DedupWindows({
    maxEntries: Math.max(1, config.INGEST_DEDUP_WINDOW_SIZE),
    maxAgeMs: Math.max(1, config.INGEST_DEDUP_WINDOW_MINUTES) * 60_000,
  });
  // The dedup negative control of the fault-injection suite: a window that remembers nothing.
  const noDedup = { checkAndRemember: () => false } as unknown as DedupWindow;
  const windowFor = (topic: string, partition: number): DedupWindow =>
    config.UNSAFE_NEGATIVE_CONTROL === 'dedup_off' ? noDedup : windows.for(topic, partition);
  // A partition without a window (taken over, or its window dropped with a failed batch) is warmed
  // from its recent raw messages first — together with every other such assigned partition, in one
  // read (warm-dedup-windows.ts).
  let assigned: Readonly<Record<string, readonly number[]>> = {};
  // One warming at a time: batches of several cold partitions at once (after a join) wait for the
  // read that warms them all rather than each reading every cold partition again.
  let warming: Promise<void> | null = null;
  const warmIfCold = async (topic: string, partition: number): Promise<void> => {
    while (!windows.has(topic, partition) && config.UNSAFE_NEGATIVE_CONTROL !== 'dedup_off') {
      if (warming) {
        await warming.catch(() => undefined);
        continue;
      }
      warming = warmCold(topic, partition).finally(() => (warming = null));
      await warming;
    }
  };
  const warmCold = async (topic: string, partition: number): Promise<void> => {
    const targets = Object.entries(assigned)
      .flatMap(([t, partitions]) => partitions.map((p) => ({ topic: t, partition: p })))
      .filter((t) => !windows.has(t.topic, t.partition));
    if (!targets.some((t) => t.topic === topic && t.partition === partition))
      targets.push({ topic, partition });
    const started = Date.now();
    const warmed = await warmDedupWindows({
      kafka,
      groupId: config.INGEST_GROUP_ID,
      targets,
      depth: config.INGEST_DEDUP_WARM_MESSAGES,
      sourceByTopic,
      config: ingestConfig,
      lookup,
      windowFor: (t, p) => windows.for(t, p),
    });
    for (const t of targets) windows.for(t.topic, t.partition);
    if (warmed.messages > 0)
      stageLog.info({ ...warmed, seconds: (Date.now() - started) / 1000 }, 'dedup windows warmed');
  };

  // Batches and idle announcements take turns on each partition's producer (one transaction at a
  // time); different partitions' batches run at once (INGEST_PARTITIONS_CONCURRENTLY).
  const turns = new Map<string, Promise<unknown>>();
  // Set while a batch carrying pending markers is in flight (see the handler).
  let announcing: Promise<void> | null = null;
  const exclusive = <T>(topic: string, partition: number, work: () => Promise<T>): Promise<T> => {
    const key = `${topic}\u0000${partition}`;
    const turn = turns.get(key) ?? Promise.resolve();
    const next = turn.then(work, work);
    const settled = next.catch(() => undefined);
    turns.set(key, settled);
    void settled.then(() => {
      if (turns.get(key) === settled) turns.delete(key);
    });
    return next;
  };
  // Event-time progress per owned raw partition, written to every canonical partition after each
  // batch (ingest-watermarks.ts): the journey's watermark is the least of them.
  const watermarks = new IngestWatermarks({
    kafka,
    config,
    sourceByTopic,
    log: stageLog,
    assigned: () => assigned,
    claim,
    exclusive,
    memberFresh: () => consumerFresh(),
  });
  const { progress } = watermarks;
  watermarks.startIdleChecks();

  const running = await runBatchConsumer({
    kafka,
    groupId: config.INGEST_GROUP_ID,
    topics: [...sourceByTopic.keys()],
    stage: 'ingest',
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    commitMode: 'transaction',
    log: stageLog,
    metrics,
    onGroupJoin: (assignment, member) => {
      consumerFresh = member.memberFresh;
      assigned = assignment;
      windows.retain(assignment);
      producers.retain(assignment);
      watermarks.onAssignment(assignment);
    },
    partitionsConcurrently: config.INGEST_PARTITIONS_CONCURRENTLY,
    fetchMinBytes: config.INGEST_FETCH_MIN_BYTES,
    fetchMaxWaitMs: config.INGEST_FETCH_MAX_WAIT_MS,
    handler: (batch, control) =>
      exclusive(batch.topic, batch.partition, async () => {
        let pendingSent: WatermarkMarker[] = [];
        let openingSent = false;
        let endAnnouncing = (): void => undefined;
        try {
          const { producer, floor } = await claim(batch.topic, batch.partition, control.memberFresh);
          // Below the floor: committed by the partition's previous owner after kafkajs fetched the
          // offset this batch starts from (a zombie finishing its last batch before we fenced it).
          const messages = batch.messages.filter((m) => BigInt(m.offset) >= floor);
          if (messages.length < batch.messages.length)
            stageLog.warn(
              {
                topic: batch.topic,
                partition: batch.partition,
                skipped: batch.messages.length - messages.length,
              },
              'messages committed by the previous owner left out',
            );
          if (messages.length === 0) return;
          await warmIfCold(batch.topic, batch.partition);
          const result = await processIngestBatch(
            messages,
            topology,
            ingestConfig,
            lookup,
            windowFor(batch.topic, batch.partition),
            Date.now(),
          );
          // Link facts, canonical events, dead letters, the partition's watermark marker and the
          // consumer offsets commit in one Kafka transaction.
          const last = messages[messages.length - 1]!;
          // Within one transaction marker of the end (a transactional producer's commit takes one).
          const caughtUp = BigInt(last.offset) + 2n >= BigInt(batch.highWatermark);
          await watermarks.register();
          // Pending markers first: a journey reading this partition from its start meets a marker
          // before any event, so it never mistakes it for a stream without markers. With batches
          // of several partitions at once, the one carrying them commits before any other sends:
          // the others wait for it (and take them over if it failed).
          while (announcing) await announcing;
          const pending = progress.unannounced();
          pendingSent = pending;
          if (pending.length > 0)
            announcing = new Promise<void>((resolve) => {
              endAnnouncing = () => {
                announcing = null;
                resolve();
              };
            });
          // The partition announced active ahead of its events, unless a pending marker above does.
          const opening = pending.some((m) => m.source === sourceOf(batch.topic, batch.partition))
            ? null
            : progress.beforeBatch(batch.topic, batch.partition);
          openingSent = opening !== null;
          const marker = progress.afterBatch(
            batch.topic,
            batch.partition,
            result.maxEventTime,
            caughtUp,
            Date.now(),
          );
          const committed = await producer.sendWithOffsets(
            [
              ...(await Promise.all(pending.map((m) => watermarks.markersOf(m)))).flat(),
              ...(opening ? await watermarks.markersOf(opening) : []),
              ...result.links,
              ...result.outputs,
              ...(await watermarks.markersOf(marker)),
            ],
            {
              groupId: config.INGEST_GROUP_ID,
              topic: batch.topic,
              partition: batch.partition,
              offset: offsetAfter(batch),
            },
            // A member that went a session without a heartbeat may have lost the partition.
            async () => !control.isStale() && (control.memberFresh() || fenceByInstance),
          );
          if (!committed) {
            // Not committed, and not resolved either (throwing keeps the fetch position): if the
            // partition is still ours the batch is redone, else its new owner does it.
            throw new StaleBatchError(batch.topic, batch.partition);
          }
          endAnnouncing();
          countRecords(metrics, 'ingest', result.counts);
          for (const letter of result.dlq) {
            metrics.dlqMessages.inc({ reason: letter.reason, step: letter.step });
            stageLog.warn(
              {
                step: letter.step,
                reason: letter.reason,
                topic: batch.topic,
                partition: batch.partition,
                offset: letter.offset,
              },
              'sent to DLQ',
            );
          }
          if (result.junkIdentifiers > 0)
            metrics.junkIdentifiers.inc({ stage: 'ingest' }, result.junkIdentifiers);
        } catch (err) {
          windows.drop(batch.topic, batch.partition);
          progress.unannounce(pendingSent);
          if (openingSent) progress.unbatch(batch.topic, batch.partition);
          endAnnouncing(); // after unannounce: a waiting batch takes the markers over
          // Facts the batch admitted were not sent: none may stay remembered as sent.
          topology.links?.filter.forget();
          if (isFencedError(err) || err instanceof StaleBatchError) {
            // A newer holder of the partition's transactional id exists. Forget the producer; a
            // heartbeat tells whether this member is still the partition's owner: if not, it throws
            // and kafkajs rejoins the group; if it is, the redelivery fences the other holder.
            producers.release(batch.topic, batch.partition);
            stageLog.warn(
              { err, topic: batch.topic, partition: batch.partition },
              'batch not committed: partition fenced or stale',
            );
            await control.heartbeat();
            throw err;
          }
          stageLog.error(
            { err, topic: batch.topic, partition: batch.partition },
            'batch failed; not committed, will be retried',
          );
          throw err;
        }
      }),
  });
  return {
    ...running,
    stop: async () => {
      watermarks.stopIdleChecks();
      await running.stop();
      await Promise.all(turns.values());
      await producers.disconnectAll();
      await (await instanceProducer)?.disconnect();
      closeLeftSockets(kafka, stageLog);
    },
  };
}
