// A paced phase: a fresh pipeline (its own raw and downstream topics and database; the topology of
// its env: the single writer, or the route and one state process) under a schedule of offered
// load, with the sampled events followed two ways — the journey process's insert acknowledgement
// and the external probe query. Used for the sustained-rate check, the
// latency at 50 % of the maximum, and the burst.
import type { Kafka } from 'kafkajs';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import type { PipelineConfig } from '../shared/config/config.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import type { BenchEnv } from './bench-config.ts';
import { latencySummary } from './bench-stats.ts';
import type { LatencySummary } from './bench-stats.ts';
import { latenciesOf, isSampled, splitWarmup } from './latency-sampling.ts';
import { LatencyProbe } from './latency-probe.ts';
import { hopLatencies } from './hop-latency.ts';
import type { HopLatencies } from './hop-latency.ts';
import { producePaced } from './produce-messages.ts';
import type { TopicOf } from './produce-messages.ts';
import type { BenchMessage } from './prepare-workload.ts';
import type { RateSegment } from './pace-schedule.ts';
import { killPipeline, startPipeline, stopPipeline, waitForPipeline } from './run-drain.ts';
import type { DrainContext } from './run-drain.ts';
import type { WorkerStats } from './worker-protocol.ts';

export interface PacedRun {
  segments: RateSegment[];
  sent: number;
  startedAtMs: number;
  productionSeconds: number;
  achievedBySegment: number[];
  /** Seconds from the end of production until the pipeline had processed everything. */
  drainAfterEndSeconds: number;
  ackLatencyMs: LatencySummary;
  probeLatencyMs: LatencySummary;
  /** Where the insert-ack latency goes, per hop (hop-latency.ts); empty unless asked for. */
  hopsMs: HopLatencies;
  /** The insert-ack latency of the events produced during the warm-up (the first
   *  `warmupSeconds`: fresh processes, JIT), kept out of the figures above; null without one. */
  warmupAckLatencyMs: LatencySummary | null;
  /** Sampled (produced time, ack time) pairs, warm-up included, for the burst's recovery. */
  ackSamples: Array<[number, number]>;
  probeQueries: number;
  missingAcks: number;
  expectedEvents: number;
  storedEvents: number;
  ingest: WorkerStats;
  /** The single writer, or (partitioned) the first state-step process. */
  journey: WorkerStats;
  /** Partitioned: the route stage. */
  route: WorkerStats | null;
}

export interface PacedSetup {
  env: BenchEnv;
  config: PipelineConfig;
  topicOf: TopicOf;
}

export async function runPaced(
  kafka: Kafka,
  setup: PacedSetup,
  messages: readonly BenchMessage[],
  segments: RateSegment[],
  ctx: DrainContext,
  sampleEvery: number,
  /** Read the topics back for the per-hop latencies (the latency phase). */
  withHops = false,
  /** Events produced in the first seconds of the schedule count apart (warmupAckLatencyMs). */
  warmupSeconds = 0,
): Promise<PacedRun> {
  const { env, config, topicOf } = setup;
  const workers = await startPipeline(env, ctx, sampleEvery);
  const clickhouse = createClickHouse(config);
  const probe = new LatencyProbe(clickhouse, config.CLICKHOUSE_DATABASE);
  const producer = createKafka(config, `${config.KAFKA_CLIENT_ID}-bench-producer`).producer({
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const validIds = new Set<string>();
  try {
    probe.start();
    const paced = await producePaced(producer, topicOf, messages, segments, (first, count, sentAt) => {
      for (let i = first; i < first + count; i++) {
        const id = messages[i]!.eventId;
        if (id === undefined) continue;
        validIds.add(id);
        if (isSampled(id, sampleEvery)) probe.follow(id, sentAt);
      }
    });
    const productionEnd = paced.startedAtMs + paced.seconds * 1000;
    const doneAt = await waitForPipeline(kafka, config, workers, () => paced.sent, ctx.timeoutMs);
    // The last sightings: the probe keeps polling until nothing awaited is left (or 10 s).
    const deadline = Date.now() + 10_000;
    while (probe.waiting > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    await probe.stop();
    const stats = await stopPipeline(workers);
    const ingest = stats[0]!;
    const route = workers.route ? stats[1]! : null;
    const journey = stats[workers.route ? 2 : 1]!;
    // The insert acknowledgements of every journey process (partitioned: each state process its own).
    const journeyAcks = workers.journeys.flatMap((w) => w.acks);
    // The measured samples: produced after the warm-up (all of them without one).
    const { warm, measured } = splitWarmup(probe.producedAt, paced.startedAtMs, warmupSeconds);
    const acks = latenciesOf(measured, journeyAcks);
    const warmAcks = latenciesOf(warm, journeyAcks);
    const firstAck = new Map<string, number>();
    for (const [id, at] of journeyAcks) if (!firstAck.has(id) || at < firstAck.get(id)!) firstAck.set(id, at);
    const ackSamples: Array<[number, number]> = [];
    for (const [id, produced] of probe.producedAt) {
      const at = firstAck.get(id);
      if (at !== undefined) ackSamples.push([produced, at]);
    }
    const probed = latenciesOf(measured, probe.seenAt);
    const hopsMs = withHops
      ? await hopLatencies(kafka, config, measured, firstAck, workers.route !== null)
      : {};
    const [stored] = await (
      await clickhouse.query({
        query: `SELECT uniqExact(event_id) AS n FROM ${config.CLICKHOUSE_DATABASE}.journey_events`,
        format: 'JSONEachRow',
      })
    ).json<{ n: string | number }>();
    return {
      segments,
      sent: paced.sent,
      startedAtMs: paced.startedAtMs,
      productionSeconds: paced.seconds,
      achievedBySegment: paced.achievedBySegment,
      drainAfterEndSeconds: Math.max(0, (doneAt - productionEnd) / 1000),
      ackLatencyMs: latencySummary(acks.latencies),
      probeLatencyMs: latencySummary(probed.latencies),
      hopsMs,
      warmupAckLatencyMs: warmupSeconds > 0 ? latencySummary(warmAcks.latencies) : null,
      ackSamples,
      probeQueries: probe.queries,
      missingAcks: acks.missing + warmAcks.missing,
      expectedEvents: validIds.size,
      storedEvents: Number(stored?.n ?? 0),
      ingest,
      journey,
      route,
    };
  } finally {
    killPipeline(workers);
    await probe.stop();
    await producer.disconnect();
    await clickhouse.close();
  }
}
