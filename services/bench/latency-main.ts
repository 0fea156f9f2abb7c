// `make bench-latency`: the event -> ClickHouse latency at a fixed offered rate, with its hops, for
// variants of the configuration side by side — the quick experiment for the p99 at half load that
// `make bench` measures at 50 % of each run's own (noisy) maximum. No drains, no other phase.
//
//   node services/bench/latency-main.ts --rate 3000 [--seconds 20] [--warmup 5] [--runs 3]
//        [--topology single|partitioned|both] [--variant NAME=KEY=V,KEY=V ...] [--series]
//        [--cpu-prof DIR] [--keep]
//
// Each variant is a set of pipeline environment overrides (none: the defaults). Runs interleave
// the variants (A B A B ...) so that drift on the shared box falls on every variant alike; each
// phase has fresh topics and a fresh database and starts with a warm-up measured apart (as `make
// bench`'s latency phase). Prints, per topology and variant, the medians over the runs of p50/p99
// insert ack and of each hop.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import { runConfig, runEnv } from './bench-config.ts';
import type { BenchEnv } from './bench-config.ts';
import { preparePacedPhase, removeBenchData } from './bench-setup.ts';
import { latencySummary, summarizeRuns } from './bench-stats.ts';
import { stackPids } from './measure-cpu.ts';
import { prepareWorkload } from './prepare-workload.ts';
import { LATENCY_WARMUP_SECONDS } from './paced-phases.ts';
import { runPaced } from './run-paced.ts';
import { parseVariant } from './latency-variant.ts';
import type { Variant } from './latency-variant.ts';
import type { PacedRun, PacedSetup } from './run-paced.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const USAGE =
  'usage: latency-main.ts --rate EVENTS_PER_S [--seconds S] [--warmup S] [--runs N] [--topology single|partitioned|both] [--variant NAME=KEY=V,KEY=V]... [--series] [--cpu-prof DIR] [--keep]';

/** The ack latency over the phase: p50/max per 2 s of production (does it grow, or spike?). */
function seriesOf(paced: PacedRun): string {
  const buckets = new Map<number, number[]>();
  for (const [produced, acked] of paced.ackSamples) {
    const b = Math.floor((produced - paced.startedAtMs) / 2000);
    buckets.set(b, [...(buckets.get(b) ?? []), acked - produced]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, v]) => {
      const s = latencySummary(v);
      return `${Math.round(s.p50)}/${Math.round(s.max)}`;
    })
    .join(' ');
}

/** Each stage process: CPU seconds, batches and their mean size and duration, event-loop p99. */
function processesOf(paced: PacedRun): string {
  const stages = [paced.ingest, ...(paced.route ? [paced.route] : []), paced.journey];
  return stages
    .map((w) => {
      const b = w.batches;
      const batches = b
        ? `, ${b.count} batches of ${Math.round(b.meanMessages)} in ${Math.round(b.meanMs)} ms`
        : '';
      return `${w.role} CPU ${(w.cpuUserSeconds + w.cpuSystemSeconds).toFixed(1)} s${batches}, loop p99 ${Math.round(w.eventLoopDelayP99Ms)} ms`;
    })
    .join('; ');
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} ${text}: a positive number is required`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string' },
      seconds: { type: 'string', default: '20' },
      warmup: { type: 'string', default: String(LATENCY_WARMUP_SECONDS) },
      runs: { type: 'string', default: '3' },
      topology: { type: 'string', default: 'both' },
      variant: { type: 'string', multiple: true, default: [] },
      keep: { type: 'boolean', default: false },
      series: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help || values.rate === undefined) {
    console.log(USAGE);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const rate = positive('--rate', values.rate);
  const seconds = positive('--seconds', values.seconds);
  const runs = Math.round(positive('--runs', values.runs));
  const warmup = Number(values.warmup);
  if (!Number.isFinite(warmup) || warmup < 0) throw new Error(`--warmup ${values.warmup}: seconds >= 0`);
  if (!['single', 'partitioned', 'both'].includes(values.topology))
    throw new Error(`--topology ${values.topology}: single, partitioned or both`);
  const topologies = values.topology === 'both' ? ['single', 'partitioned'] : [values.topology];
  const variants =
    values.variant.length > 0 ? values.variant.map(parseVariant) : [{ name: 'default', env: {} }];

  const base: BenchEnv = process.env;
  const id = `bench.${Date.now().toString(36)}`;
  const kafka = createKafka(runConfig(runEnv(base, id, id)), `${id}-admin`);
  const databases: string[] = [];
  let seq = 0;
  const pids = stackPids(base.BENCH_PIDS_DIR ?? join(ROOT, '.local', 'pids'));
  const say = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

  const setup = (topology: string, variant: Variant): Promise<PacedSetup> => {
    const env: BenchEnv = {
      ...runEnv(base, `${id}.p${++seq}`, `${id}.r${seq}`),
      JOURNEY_TOPOLOGY: topology,
      LOG_LEVEL: base.BENCH_LOG_LEVEL ?? 'error',
      ...variant.env,
    };
    databases.push(env.CLICKHOUSE_DATABASE!);
    return preparePacedPhase(kafka, env, { profile: 'bench', seed: 42 });
  };

  const wanted = Math.ceil(rate * (seconds + warmup));
  say(`generating ${wanted} messages`);
  const workload = await prepareWorkload(runConfig(runEnv(base, id, id)), {
    profile: 'bench',
    seed: 42,
    events: wanted,
    endMs: Date.now(),
  });
  const results = new Map<string, PacedRun[]>();
  try {
    for (let run = 1; run <= runs; run++)
      for (const topology of topologies)
        for (const variant of variants) {
          const s = await setup(topology, variant);
          const key = `${topology} ${variant.name}`;
          const paced = await runPaced(
            kafka,
            s,
            workload.messages,
            [{ seconds: workload.messages.length / rate, rate }],
            {
              pids,
              // --cpu-prof DIR: V8 CPU profiles of the stage processes, one per phase and role.
              execArgv: (role, label) =>
                values['cpu-prof'] && ['ingest', 'journey', 'route', 'state'].includes(role)
                  ? [
                      '--cpu-prof',
                      `--cpu-prof-dir=${values['cpu-prof']}`,
                      `--cpu-prof-name=${label}-${role}.cpuprofile`,
                    ]
                  : [],
              timeoutMs: 10 * 60_000,
              label: `lat${run}-${key.replace(' ', '-')}`,
            },
            Math.max(1, Math.round(workload.messages.length / 2000)),
            true,
            warmup,
          );
          results.set(key, [...(results.get(key) ?? []), paced]);
          const hops = Object.entries(paced.hopsMs)
            .map(([name, h]) => `${name} ${Math.round(h.p50)}/${Math.round(h.p99)}`)
            .join(', ');
          if (values.series) {
            say(`  per 2 s of production, p50/max ack ms: ${seriesOf(paced)}`);
            say(`  processes: ${processesOf(paced)}`);
          }
          say(
            `run ${run} ${key}: ack p50/p99 ${paced.ackLatencyMs.p50}/${paced.ackLatencyMs.p99} ms; hops ${hops}; warm-up p99 ${paced.warmupAckLatencyMs?.p99 ?? '-'}; lost ${paced.expectedEvents - paced.storedEvents}`,
          );
        }
  } finally {
    if (!values.keep)
      await removeBenchData(kafka, runConfig(runEnv(base, id, id)), id, databases).catch(() => undefined);
  }
  console.log(
    `\nmedians of ${runs} runs at ${rate} events/s for ${seconds} s after a ${warmup} s warm-up (ms):`,
  );
  for (const [key, list] of results) {
    const m = (pick: (r: PacedRun) => number | undefined): number =>
      Math.round(summarizeRuns(list.map((r) => pick(r) ?? Number.NaN)).median);
    const hopNames = Object.keys(list[0]?.hopsMs ?? {});
    const hops = hopNames
      .map((h) => `${h} ${m((r) => r.hopsMs[h]?.p50)}/${m((r) => r.hopsMs[h]?.p99)}`)
      .join(', ');
    console.log(
      `  ${key.padEnd(28)} ack p50/p99 ${m((r) => r.ackLatencyMs.p50)}/${m((r) => r.ackLatencyMs.p99)}; p99s ${list.map((r) => r.ackLatencyMs.p99).join(' ')}; hops ${hops}`,
    );
  }
}

main().then(
  () => process.exit(),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
