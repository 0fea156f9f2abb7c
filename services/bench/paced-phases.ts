// The paced phases of one bench run (docs/performance.md): the sustained-rate check (the drain
// rate, then 20 % lower until the latency stops growing over the run), the latency at 50 % of that
// rate, and the burst over a base rate with its recovery time. Each on fresh topics.
import type { Kafka } from 'kafkajs';
import type { BenchOptions } from './bench-options.ts';
import type { BurstResult, PacedFigures, SustainedAttempt } from './bench-run.ts';
import { lateThresholdMs, planBurst, recoverySeconds } from './burst.ts';
import { latencySummary } from './bench-stats.ts';
import { latencyBounded } from './sustained-check.ts';
import type { BenchMessage, BenchWorkload } from './prepare-workload.ts';
import type { DrainContext } from './run-drain.ts';
import { runPaced } from './run-paced.ts';
import type { PacedRun, PacedSetup } from './run-paced.ts';

export type Topology = 'single' | 'partitioned';

/** Seconds of the latency phase measured apart as its warm-up (fresh processes). */
export const LATENCY_WARMUP_SECONDS = 5;

export interface PacedBench {
  readonly kafka: Kafka;
  readonly options: BenchOptions;
  pacedSetup(topology: Topology): Promise<PacedSetup>;
}

export async function pacedPhases(
  bench: PacedBench,
  run: number,
  workload: BenchWorkload,
  drainRate: number,
  ctx: (label: string) => DrainContext,
  say: (line: string) => void,
  topology: Topology,
): Promise<PacedFigures> {
  const { options } = bench;
  // Labels: `run 1:` for the single writer, `run 1 partitioned:`; profile names keep the topology.
  const label = topology === 'single' ? `${run}` : `${run} ${topology}`;
  const phase = (name: string): DrainContext => ctx(topology === 'single' ? name : `${topology}-${name}`);
  const n = workload.messages.length;
  const phaseSeconds = options.latencySeconds;
  const messagesFor = (rate: number, seconds: number): BenchMessage[] =>
    workload.messages.slice(0, Math.ceil(rate * seconds));
  const sampleEvery = (rate: number, seconds: number): number =>
    Math.max(1, Math.round((rate * seconds) / 2000));

  // Sustained: the drain rate, then 20 % lower until the latency stops growing over the run.
  const attempts: SustainedAttempt[] = [];
  let rate = drainRate;
  let sustained = Number.NaN;
  // (--quick: one short attempt, only to exercise the path.)
  for (let attempt = 0; attempt < (options.quick ? 1 : 3); attempt++) {
    const seconds = Math.min(phaseSeconds, n / rate);
    say(`run ${label}: sustained check at ${Math.round(rate)} events/s for ${seconds.toFixed(1)} s`);
    const paced = await runPaced(
      bench.kafka,
      await bench.pacedSetup(topology),
      messagesFor(rate, seconds),
      [{ seconds, rate }],
      phase(`sustain${attempt}`),
      sampleEvery(rate, seconds),
    );
    const trend = latencyBounded(paced.ackSamples, paced.startedAtMs, seconds);
    const bounded = trend.bounded && paced.sent >= 0.95 * rate * seconds;
    attempts.push({
      rate,
      sent: paced.sent,
      drainAfterEndSeconds: paced.drainAfterEndSeconds,
      middleP50Ms: trend.middleP50Ms,
      lastP50Ms: trend.lastP50Ms,
      bounded,
    });
    say(
      `  median latency ${Math.round(trend.middleP50Ms)} ms mid-run, ${Math.round(trend.lastP50Ms)} ms at the end; drained ${paced.drainAfterEndSeconds.toFixed(1)} s after: ${bounded ? 'bounded' : 'not bounded'}`,
    );
    if (bounded) {
      sustained = rate;
      break;
    }
    rate *= 0.8;
  }
  const maxRate = Number.isFinite(sustained) ? sustained : rate;

  const half = maxRate / 2;
  // The phase starts fresh processes: its first seconds (JIT, the group join, the first batches)
  // are a warm-up, measured apart (warmupAckLatencyMs) and kept out of the latency figures, as a
  // pipeline that runs for days would see it; the burst's steady state has its lead-in likewise.
  const warmup = options.quick ? 0 : LATENCY_WARMUP_SECONDS;
  const latencySeconds = Math.min(phaseSeconds + warmup, n / half);
  say(
    `run ${label}: latency at 50 % (${Math.round(half)} events/s for ${latencySeconds.toFixed(1)} s, the first ${warmup} s a warm-up)`,
  );
  const latency: PacedRun = await runPaced(
    bench.kafka,
    await bench.pacedSetup(topology),
    messagesFor(half, latencySeconds),
    [{ seconds: latencySeconds, rate: half }],
    phase('latency'),
    sampleEvery(half, latencySeconds),
    true,
    warmup,
  );
  say(
    `  p50 ${latency.ackLatencyMs.p50} ms, p99 ${latency.ackLatencyMs.p99} ms (insert ack); p99 ${latency.probeLatencyMs.p99} ms (probe)${latency.warmupAckLatencyMs ? `; warm-up p99 ${latency.warmupAckLatencyMs.p99} ms` : ''}`,
  );
  say(
    `  per hop p50/p99: ${Object.entries(latency.hopsMs)
      .map(([name, s]) => `${name} ${Math.round(s.p50)}/${Math.round(s.p99)} ms`)
      .join(', ')}`,
  );

  const plan = planBurst(
    maxRate,
    options.quick ? { leadSeconds: 1, burstSeconds: 0.5 } : { leadSeconds: 10, burstSeconds: 2 },
  );
  say(
    `run ${label}: burst ${Math.round(plan.burstRate)} events/s for ${plan.burstSeconds} s over ${Math.round(plan.baseRate)} events/s (theory ${plan.theorySeconds.toFixed(1)} s)`,
  );
  const burstMessages = workload.messages.slice(
    0,
    Math.ceil(plan.segments.reduce((s, g) => s + g.seconds * g.rate, 0)),
  );
  const burstRun = await runPaced(
    bench.kafka,
    await bench.pacedSetup(topology),
    burstMessages,
    plan.segments,
    phase('burst'),
    sampleEvery(plan.baseRate, 20),
  );
  const burstStartMs = burstRun.startedAtMs + plan.burstStartSeconds * 1000;
  // Steady state: this phase's own events of the second half of the lead-in (warm-up excluded),
  // else the latency phase's.
  const leadHalfMs = burstRun.startedAtMs + (plan.burstStartSeconds * 1000) / 2;
  const steady = latencySummary(
    burstRun.ackSamples
      .filter(([produced]) => produced >= leadHalfMs && produced < burstStartMs)
      .map(([produced, ack]) => ack - produced),
  );
  const thresholdMs = lateThresholdMs(steady.samples >= 20 ? steady.p99 : latency.ackLatencyMs.p99);
  const burst: BurstResult = {
    baseRate: plan.baseRate,
    burstRate: plan.burstRate,
    achievedBurstRate: burstRun.achievedBySegment[1] ?? Number.NaN,
    burstSeconds: plan.burstSeconds,
    theorySeconds: plan.theorySeconds,
    recoverySeconds: recoverySeconds(burstRun.ackSamples, burstStartMs, thresholdMs),
    thresholdMs,
    expectedEvents: burstRun.expectedEvents,
    storedEvents: burstRun.storedEvents,
    run: burstRun,
  };
  say(
    `  recovered ${burst.recoverySeconds.toFixed(1)} s after the burst started; ${burst.expectedEvents - burst.storedEvents} events lost`,
  );
  return { sustained: { rate: sustained, attempts }, latency, burst };
}
