// `make bench-collect`: the collector against a bare HTTP-to-Kafka passthrough on the same box,
// side by side. Each server runs in its own process (collector-bench-server.ts); autocannon, in
// this process, posts Segment batches of 100 calls (the size analytics-node sends when busy) over
// keep-alive connections for a fixed time; then the raw topic is counted, so "2xx" means "in
// Kafka": every acknowledged call must be there. Prints requests/s, events/s, latency and CPU
// seconds per 1,000 events of the server process, and the ratios ours / passthrough.
//   node services/bench/collector/bench-collector-main.ts [--seconds 15] [--connections 32] [--runs 1]
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { loadConfig } from '../../shared/config/config.ts';
import { createKafka } from '../../shared/kafka/kafka-client.ts';
import { ensureTopics } from '../../shared/kafka/topics.ts';
import { pipelineTopics } from '../../shared/kafka/pipeline-topics.ts';
import { countFlags } from '../count-flags.ts';

const {
  seconds: SECONDS,
  connections: CONNECTIONS,
  runs: RUNS,
} = countFlags(
  { seconds: 15, connections: 32, runs: 1 },
  'bench-collector-main.ts [--seconds 15] [--connections 32] [--runs 1]',
);
const BATCH = 100;
const WRITE_KEY = 'wk_bench_collector';

interface Figures {
  requestsPerSecond: number;
  eventsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  inKafka: number;
  acknowledgedEvents: number;
  cpuPer1k: number;
}

function segmentBatch(): string {
  const now = new Date().toISOString();
  return JSON.stringify({
    batch: Array.from({ length: BATCH }, (_, i) => ({
      type: 'track',
      event: 'Feature Used',
      userId: `u_bench_${i % 37}`,
      messageId: `bench-${i}`,
      timestamp: now,
      properties: { feature: `feature_${i % 11}`, plan: 'growth', seats: 12 },
      context: { groupId: `acc_bench_${i % 13}`, library: { name: 'analytics-node', version: '3.1.0' } },
    })),
    sentAt: now,
  });
}

async function rawMessages(config: ReturnType<typeof loadConfig>): Promise<number> {
  const admin = createKafka(config, 'bench-collector-admin').admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(config.TOPIC_BEHAVIOR);
    return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

async function startServer(
  mode: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; port: number; cpu: Promise<number> }> {
  // BENCH_COLLECT_PROFILE=<dir>: each server writes a V8 CPU profile there.
  const profile = process.env.BENCH_COLLECT_PROFILE;
  const flags = profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [];
  const child = spawn(
    process.execPath,
    [...flags, new URL('./collector-bench-server.ts', import.meta.url).pathname, mode],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  let onCpu: (s: number) => void = () => undefined;
  const cpu = new Promise<number>((resolve) => (onCpu = resolve));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
    lines.on('line', (line) => {
      const [word, value] = line.split(' ');
      if (word === 'listening') resolve(Number(value));
      if (word === 'cpu') onCpu(Number(value));
    });
  });
  return { child, port, cpu };
}

async function measure(mode: string, run: number): Promise<Figures> {
  const prefix = `bench_collect_${Date.now().toString(36)}_${mode}_${run}`;
  const env = {
    ...process.env,
    TOPIC_BEHAVIOR: `${prefix}.behavior`,
    TOPIC_TICKETS: `${prefix}.tickets`,
    TOPIC_SURVEYS: `${prefix}.surveys`,
    TOPIC_BILLING: `${prefix}.billing`,
    COLLECTOR_SEGMENT_WRITE_KEYS: WRITE_KEY,
    PII_HMAC_KEY: process.env.PII_HMAC_KEY ?? 'bench-collector-hmac-key-0123456789',
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig(env);
  await ensureTopics(
    createKafka(config, 'bench-collector-setup'),
    pipelineTopics(config).filter((t) => t.topic === config.TOPIC_BEHAVIOR),
  );
  const server = await startServer(mode, env);
  const body = segmentBatch();
  try {
    const result = await autocannon({
      url: `http://127.0.0.1:${server.port}`,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          method: 'POST',
          path: '/v1/batch',
          headers: {
            'content-type': 'application/json',
            authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
          },
          body,
        },
      ],
    });
    const ok = result['2xx'];
    server.child.kill('SIGTERM');
    const cpuSeconds = await server.cpu;
    // Let it exit on its own (it writes its CPU profile on exit).
    if (server.child.exitCode === null)
      await new Promise((resolve) => {
        server.child.once('exit', resolve);
        setTimeout(resolve, 15_000).unref();
      });
    const inKafka = await rawMessages(config);
    return {
      requestsPerSecond: ok / SECONDS,
      eventsPerSecond: (ok * BATCH) / SECONDS,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      inKafka,
      acknowledgedEvents: ok * BATCH,
      cpuPer1k: (cpuSeconds / Math.max(1, ok * BATCH)) * 1000,
    };
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const results: Record<string, Figures[]> = { passthrough: [], collector: [] };
console.log(
  `collector benchmark: Segment batches of ${BATCH} calls, ${CONNECTIONS} connections, ${SECONDS} s per run, ${RUNS} run(s); load average ${(
    await import('node:os')
  )
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (let run = 0; run < RUNS; run++)
  for (const mode of ['passthrough', 'collector']) {
    const figures = await measure(mode, run);
    results[mode]!.push(figures);
    console.log(
      `  run ${run + 1} ${mode.padEnd(11)} ${fmt(figures.requestsPerSecond)} req/s, ${fmt(figures.eventsPerSecond)} events/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms, non-2xx ${figures.non2xx}, errors ${figures.errors}, in Kafka ${figures.inKafka} of ${figures.acknowledgedEvents} acknowledged, CPU ${fmt(figures.cpuPer1k, 3)} s / 1k events`,
    );
    if (figures.inKafka < figures.acknowledgedEvents) {
      console.error(
        `${mode}: ${figures.acknowledgedEvents - figures.inKafka} acknowledged events are not in Kafka`,
      );
      process.exitCode = 1;
    }
  }
const m = (mode: string, key: keyof Figures) => median(results[mode]!.map((f) => f[key]));
console.log('\nmedian             passthrough    collector    collector / passthrough');
for (const [label, key, digits] of [
  ['requests/s', 'requestsPerSecond', 0],
  ['events/s', 'eventsPerSecond', 0],
  ['latency p50 ms', 'p50', 0],
  ['latency p99 ms', 'p99', 0],
  ['CPU s / 1k events', 'cpuPer1k', 3],
] as const)
  console.log(
    `${label.padEnd(18)} ${fmt(m('passthrough', key), digits).padStart(11)} ${fmt(m('collector', key), digits).padStart(12)} ${(m('collector', key) / m('passthrough', key)).toFixed(2).padStart(14)}`,
  );
