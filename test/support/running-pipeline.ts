// A whole pipeline running in the test process on fresh topics and a fresh database: the ingest
// and journey stages (with JOURNEY_TOPOLOGY=partitioned the route stage and one instance of the
// journey's state step instead of the single writer; and the identity resolver when
// IDENTITY_RESOLVER=on), a ClickHouse client and a producer, all stopped when the test ends.
import type { TestContext } from 'node:test';
import type { Producer } from 'kafkajs';
import type { ClickHouseClient } from '@clickhouse/client';
import type { PipelineConfig } from '../../services/shared/config/config.ts';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import type { PipelineMetrics } from '../../services/shared/telemetry/metrics.ts';
import { startIngestService } from '../../services/ingest/ingest-service.ts';
import { startJourneyService } from '../../services/journey/journey-service.ts';
import type { JourneyService } from '../../services/journey/journey-service.ts';
import { startRouteService } from '../../services/journey/route-service.ts';
import type { RouteService } from '../../services/journey/route-service.ts';
import { startStateService } from '../../services/journey/state-service.ts';
import type { StateService } from '../../services/journey/state-service.ts';
import { awaitedHandovers } from '../../services/journey/keyed-partition.ts';
import { startResolverService } from '../../services/resolver/resolver-service.ts';
import type { ResolverService } from '../../services/resolver/resolver-service.ts';
import type { IdentityGraph } from '../../services/identity/identity-graph.ts';
import { allInputsIdle, markersSeen } from '../../services/journey/input-watermarks.ts';
import { groupSettled, testKafka, waitFor } from './stack.ts';
import { freshPipeline } from './pipeline.ts';
import { resolvedPartitions } from '../../services/shared/kafka/pipeline-topics.ts';

export interface RunningPipeline {
  config: PipelineConfig;
  clickhouse: ClickHouseClient;
  producer: Producer;
  /** The single-writer journey (throws when partitioned: see partitioned()). */
  journey(): JourneyService;
  /** JOURNEY_TOPOLOGY=partitioned: the route stage and the state step's instance, else null. */
  partitioned(): { route: RouteService; state: StateService } | null;
  /** The journey stage's Prometheus metrics (of the running instance). */
  journeyMetrics(): PipelineMetrics;
  /** The identity resolver (IDENTITY_RESOLVER=on), else null. */
  resolver(): ResolverService | null;
  /** Stops the resolver and starts a new one (its graph restored from the identity table). */
  restartResolver(): Promise<ResolverService>;
  /** Stops the journey stage and starts a new instance (state restored from the changelogs;
   *  partitioned: the route stage and the state step's instance both). Returns the identity graph
   *  the new instance restored (the single writer's, or the route's). */
  restartJourney(): Promise<{ graph: IdentityGraph }>;
  /** What the running journey stage reports blocked (/readyz): the single writer's, or the route's
   *  and the state step's. */
  problems(): string[];
  /** Waits until the operator commands sent so far are applied and committed (the single
   *  writer's group, or the route's, then the state step at the end of the resolved topic). */
  commandsApplied(timeoutMs?: number): Promise<void>;
  /** Stops the journey stage (both stages when partitioned). */
  stopJourney(): Promise<void>;
  /** Waits until the pipeline is at the end of its input: the ingest read `rawTopics` to the end,
   * announced every raw partition idle (the journey's watermark then stands at the greatest event
   * time: every timer and stage due is applied), and the journey committed all of it. Without the
   * idle announcements, which come INGEST_IDLE_SECONDS after a partition's last message, a test can
   * read the journey at the end of the canonical topic before its watermark reached the end. With
   * the resolver on, it also committed the whole links topic. */
  settled(rawTopics: string[], timeoutMs?: number): Promise<void>;
  /** Waits until the journey advanced time by the wall clock `count` more times (idle input, a
   *  JOURNEY_IDLE_TICK_SECONDS tick): each tick moves the watermark to now minus the lateness
   *  (partitioned: every resolved partition's). */
  ticks(count: number, timeoutMs?: number): Promise<void>;
}

export async function runningPipeline(
  t: TestContext,
  overrides: Record<string, string> = {},
  /** A configuration from freshPipeline already in use (its topics hold input): run on it. */
  prepared?: PipelineConfig,
): Promise<RunningPipeline> {
  const config = prepared ?? (await freshPipeline(overrides)).config;
  const log = createLogger('silent');
  let journeyMetrics = createMetrics(false);
  const partitioned = config.JOURNEY_TOPOLOGY === 'partitioned';
  let journey = partitioned ? null : await startJourneyService(config, log, journeyMetrics);
  let stages: { route: RouteService; state: StateService } | null = null;
  const startStages = async () => ({
    route: await startRouteService(config, log, createMetrics(false)),
    state: await startStateService(config, log, journeyMetrics),
  });
  const stopJourney = async (): Promise<void> => {
    await journey?.stop();
    await stages?.state.stop();
    await stages?.route.stop();
    journey = null;
    stages = null;
  };
  t.after(stopJourney);
  if (partitioned) stages = await startStages();
  let resolver =
    config.IDENTITY_RESOLVER === 'on' ? await startResolverService(config, log, createMetrics(false)) : null;
  t.after(() => resolver?.stop());
  const ingest = await startIngestService(config, log, createMetrics(false));
  t.after(() => ingest.stop());
  const clickhouse = createClickHouse(config);
  t.after(() => clickhouse.close());
  const producer = testKafka().producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  // The journey at the end of its input, time as far as the data takes it (the idle markers read).
  const journeyAtEnd = async (): Promise<boolean> => {
    if (journey)
      return (
        markersSeen(journey.state.accounts.inputs) &&
        allInputsIdle(journey.state.accounts.inputs) &&
        (await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_CANONICAL]))
      );
    if (!stages) return false;
    const parts = [...stages.state.partitions().values()];
    return (
      (await groupSettled(config.ROUTE_GROUP_ID, [config.TOPIC_CANONICAL])) &&
      (await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_RESOLVED])) &&
      parts.length === resolvedPartitions(config) &&
      parts.every((p) => markersSeen(p.store.inputs) && allInputsIdle(p.store.inputs)) &&
      // Every key's held records applied: no handover awaited.
      parts.every((p) => awaitedHandovers(p) === 0) &&
      // Again: the idle markers forwarded and applied, nothing sent since.
      (await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_RESOLVED]))
    );
  };
  return {
    config,
    clickhouse,
    producer,
    journey: () => {
      if (!journey) throw new Error(partitioned ? 'partitioned: see partitioned()' : 'journey stopped');
      return journey;
    },
    partitioned: () => stages,
    stopJourney,
    journeyMetrics: () => journeyMetrics,
    resolver: () => resolver,
    restartResolver: async () => {
      await resolver?.stop();
      resolver = await startResolverService(config, log, createMetrics(false));
      return resolver;
    },
    restartJourney: async () => {
      await stopJourney();
      journeyMetrics = createMetrics(false);
      if (partitioned) {
        stages = await startStages();
        return { graph: stages.route.state().graph };
      }
      journey = await startJourneyService(config, log, journeyMetrics);
      return { graph: journey.state.graph };
    },
    problems: () =>
      journey
        ? journey.problems()
        : stages
          ? [...stages.route.problems(), ...stages.state.problems()]
          : ['journey stopped'],
    commandsApplied: (timeoutMs = 90_000) =>
      waitFor(
        'the operator commands applied and committed',
        async () =>
          (
            partitioned
              ? (await groupSettled(config.ROUTE_GROUP_ID, [config.TOPIC_IDENTITY_COMMANDS])) &&
                (await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_RESOLVED]))
              : await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_IDENTITY_COMMANDS])
          )
            ? true
            : undefined,
        timeoutMs,
        250,
      ).then(() => undefined),
    settled: (rawTopics, timeoutMs = 180_000) =>
      waitFor(
        'the pipeline at the end of its input, every raw partition idle',
        async () =>
          (await groupSettled(config.INGEST_GROUP_ID, rawTopics)) &&
          (await journeyAtEnd()) &&
          (resolver === null || (await groupSettled(config.RESOLVER_GROUP_ID, [config.TOPIC_IDENTITY_LINKS])))
            ? true
            : undefined,
        timeoutMs,
        250,
      ).then(() => undefined),
    ticks: async (count, timeoutMs = 60_000) => {
      // The watermarks the single writer, or each resolved partition, has stood at.
      const watermarks = (): Array<[number, number]> =>
        journey
          ? [[0, journey.state.accounts.watermark]]
          : [...(stages?.state.partitions() ?? new Map()).entries()].map(([n, p]) => [n, p.store.watermark]);
      const seen = new Map<number, Set<number>>();
      const note = (): void => {
        for (const [n, w] of watermarks()) seen.set(n, (seen.get(n) ?? new Set()).add(w));
      };
      note();
      const expected = partitioned ? resolvedPartitions(config) : 1;
      await waitFor(
        `${count} more wall-clock ticks`,
        () => {
          note();
          return seen.size === expected && [...seen.values()].every((s) => s.size > count) ? true : undefined;
        },
        timeoutMs,
        50,
      );
    },
  };
}
