// One drain: a consumer under measurement reads the whole pre-produced backlog from offset 0 (or,
// for B2, inserts B1's rows) as fast as it can. Throughput is the messages over the time from its
// first batch to its last; CPU is each process's own time plus the broker's, the registry's and
// ClickHouse's over the same interval.
import type { Kafka } from 'kafkajs';
import type { PipelineConfig } from '../shared/config/config.ts';
import type { BenchEnv } from './bench-config.ts';
import { caughtUp, highWatermarks } from './bench-setup.ts';
import { cpuSpent, snapshotStackCpu } from './measure-cpu.ts';
import type { CpuSnapshot, StackComponent } from './measure-cpu.ts';
import { spawnWorker } from './spawn-worker.ts';
import type { WorkerHandle } from './spawn-worker.ts';
import type { WorkerArgs, WorkerRole, WorkerStats } from './worker-protocol.ts';

export type ConsumerName = 'B0' | 'B1' | 'B2' | 'B3' | 'B4' | 'ours';

export interface DrainResult {
  consumer: ConsumerName;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** CPU seconds by component: the Node processes by role, then kafka / registry / clickhouse. */
  cpuSeconds: Record<string, number>;
  workers: WorkerStats[];
  /** Wall time of the phase's parts: process start to ready (joined), ready to done, stop. */
  phaseSeconds: { start: number; work: number; stop: number };
}

export interface DrainContext {
  pids: Partial<Record<StackComponent, number>>;
  /** Node flags per worker (CPU profiles, --expose-gc), by role and a label for file names. */
  execArgv(role: WorkerRole, label: string): string[];
  timeoutMs: number;
  label: string;
}

const workerArgs = (role: WorkerRole, expected: number, extra: Partial<WorkerArgs> = {}): WorkerArgs => ({
  role,
  expected,
  sampleEvery: 0,
  rowsPerInsert: 0,
  ...extra,
});

function result(
  consumer: ConsumerName,
  events: number,
  firstAtMs: number,
  doneAtMs: number,
  workers: WorkerStats[],
  stack: CpuSnapshot,
  marks: number[],
): DrainResult {
  const seconds = Math.max(0.001, (doneAtMs - firstAtMs) / 1000);
  const cpuSeconds: Record<string, number> = {};
  for (const w of workers) cpuSeconds[w.role] = w.cpuUserSeconds + w.cpuSystemSeconds;
  for (const [component, s] of Object.entries(stack)) cpuSeconds[component] = s;
  const [spawned, ready, done, stopped] = marks as [number, number, number, number];
  return {
    consumer,
    events,
    seconds,
    eventsPerSecond: events / seconds,
    cpuSeconds,
    workers,
    phaseSeconds: {
      start: (ready - spawned) / 1000,
      work: (done - ready) / 1000,
      stop: (stopped - done) / 1000,
    },
  };
}

/** B0, B1 or B2 over `expected` messages. */
export async function drainBaseline(
  consumer: 'B0' | 'B1' | 'B2',
  env: BenchEnv,
  expected: number,
  ctx: DrainContext,
  rowsPerInsert = 0,
): Promise<DrainResult> {
  const role: WorkerRole = consumer === 'B0' ? 'consume' : consumer === 'B1' ? 'passthrough' : 'clickhouse';
  const before = snapshotStackCpu(ctx.pids);
  const marks = [Date.now()];
  const worker = spawnWorker(workerArgs(role, consumer === 'B2' ? 0 : expected, { rowsPerInsert }), {
    env,
    execArgv: ctx.execArgv(role, ctx.label),
  });
  try {
    await worker.ready;
    marks.push(Date.now());
    await worker.waitUntil(`${consumer} to finish`, () => worker.latest?.doneAtMs != null, ctx.timeoutMs);
    marks.push(Date.now());
    const stack = cpuSpent(before, snapshotStackCpu(ctx.pids));
    const stats = await worker.stop();
    marks.push(Date.now());
    return result(consumer, stats.processed, stats.firstAtMs!, stats.doneAtMs!, [stats], stack, marks);
  } finally {
    worker.kill();
  }
}

/** B3 (`hops` 2) or B4 (3) over `expected` messages (run-baseline-relay.ts): the last hop first,
 *  then the others back to the first, each its own process; from the first hop's first batch to
 *  the last hop's acknowledgement of the last insert. Its topics and table exist already. */
export async function drainRelay(
  consumer: 'B3' | 'B4',
  env: BenchEnv,
  expected: number,
  ctx: DrainContext,
): Promise<DrainResult> {
  const hops = consumer === 'B3' ? 2 : 3;
  const before = snapshotStackCpu(ctx.pids);
  const marks = [Date.now()];
  const workers: WorkerHandle[] = [];
  try {
    for (let hop = hops; hop >= 1; hop--) {
      const worker = spawnWorker(workerArgs('relay', hop === hops ? expected : 0, { hop, hops }), {
        env,
        execArgv: ctx.execArgv('relay', `${ctx.label}-hop${hop}`),
      });
      workers.unshift(worker);
      await worker.ready;
    }
    marks.push(Date.now());
    const last = workers[workers.length - 1]!;
    await last.waitUntil(`${consumer} to finish`, () => last.latest?.doneAtMs != null, ctx.timeoutMs);
    marks.push(Date.now());
    const stack = cpuSpent(before, snapshotStackCpu(ctx.pids));
    const stats: WorkerStats[] = [];
    for (const w of workers) stats.push(await w.stop());
    marks.push(Date.now());
    const drained = result(
      consumer,
      last.latest!.processed,
      stats[0]!.firstAtMs!,
      stats[hops - 1]!.doneAtMs!,
      stats,
      stack,
      marks,
    );
    // One entry per hop (the role repeats): hop1, hop2, ...
    delete drained.cpuSeconds['relay'];
    stats.forEach((w, i) => {
      drained.cpuSeconds[`hop${i + 1}`] = w.cpuUserSeconds + w.cpuSystemSeconds;
    });
    return drained;
  } finally {
    for (const w of workers) w.kill();
  }
}

export interface PipelineWorkers {
  ingest: WorkerHandle;
  /** JOURNEY_TOPOLOGY=partitioned: the route stage; the single writer: null. */
  route: WorkerHandle | null;
  /** The single writer, or the state step's processes (state-0, state-1, ...). */
  journeys: WorkerHandle[];
  /** Every process started, in start order (stopped in reverse). */
  all: WorkerHandle[];
}

/** Starts the journey stage as the env's topology has it (the single writer, or `states` state-step
 *  processes then the route), then the ingest, each in its own process; `sampleEvery` > 0: the
 *  journey processes report the insert acknowledgements of the sampled events. */
export async function startPipeline(
  env: BenchEnv,
  ctx: DrainContext,
  sampleEvery = 0,
  states = 1,
): Promise<PipelineWorkers> {
  const partitioned = env.JOURNEY_TOPOLOGY === 'partitioned';
  const all: WorkerHandle[] = [];
  const spawn = async (role: WorkerRole, instance: string | null): Promise<WorkerHandle> => {
    const worker = spawnWorker(workerArgs(role, 0, role === 'ingest' ? {} : { sampleEvery }), {
      env: instance === null ? env : { ...env, INSTANCE_ID: instance },
      execArgv: ctx.execArgv(
        role === 'state' ? 'journey' : role,
        instance ? `${ctx.label}-${instance}` : ctx.label,
      ),
    });
    all.push(worker);
    await worker.ready;
    return worker;
  };
  try {
    const journeys: WorkerHandle[] = [];
    if (partitioned) for (let i = 0; i < states; i++) journeys.push(await spawn('state', `state-${i}`));
    else journeys.push(await spawn('journey', null));
    const route = partitioned ? await spawn('route', 'route') : null;
    const ingest = await spawn('ingest', partitioned ? 'ingest' : null);
    return { ingest, route, journeys, all };
  } catch (err) {
    for (const w of all) w.kill();
    throw err;
  }
}

/** Waits until the ingest stage has processed `rawMessages` and the journey read all it wrote
 *  (partitioned: the route read every canonical record, and the state processes together every
 *  resolved record, handovers included, with nothing more coming). */
export async function waitForPipeline(
  kafka: Kafka,
  config: PipelineConfig,
  workers: PipelineWorkers,
  rawMessages: () => number,
  timeoutMs: number,
): Promise<number> {
  const { ingest, route, journeys } = workers;
  await ingest.waitUntil(
    'ingest to process every raw message',
    () => (ingest.latest?.processed ?? 0) >= rawMessages(),
    timeoutMs,
  );
  const canonical = await highWatermarks(kafka, config.TOPIC_CANONICAL);
  if (route === null) {
    await journeys[0]!.waitUntil(
      'journey to read every canonical event',
      () => caughtUp(canonical, journeys[0]!.latest?.positions ?? {}, config.TOPIC_CANONICAL),
      timeoutMs,
    );
    return Date.now();
  }
  await route.waitUntil(
    'route to read every canonical record',
    () => caughtUp(canonical, route.latest?.positions ?? {}, config.TOPIC_CANONICAL),
    timeoutMs,
  );
  // Handovers land after the route's last record: read the ends until they stop moving.
  for (;;) {
    const resolved = await highWatermarks(kafka, config.TOPIC_RESOLVED);
    const positions = () => Object.assign({}, ...journeys.map((w) => w.latest?.positions ?? {}));
    await journeys[0]!.waitUntil(
      'the state step to read every resolved record',
      () => caughtUp(resolved, positions(), config.TOPIC_RESOLVED),
      timeoutMs,
    );
    const again = await highWatermarks(kafka, config.TOPIC_RESOLVED);
    if ([...again].every(([p, end]) => resolved.get(p) === end)) return Date.now();
  }
}

/** Stops every process (the ingest first) and returns their figures: ingest, route, journeys. */
export async function stopPipeline(workers: PipelineWorkers): Promise<WorkerStats[]> {
  const stats = [await workers.ingest.stop()];
  if (workers.route) stats.push(await workers.route.stop());
  for (const w of workers.journeys) stats.push(await w.stop());
  return stats;
}

export function killPipeline(workers: PipelineWorkers): void {
  for (const w of workers.all) w.kill();
}

/** Ours: the ingest and journey stages over the backlog of `expected` raw messages. */
export async function drainPipeline(
  kafka: Kafka,
  config: PipelineConfig,
  env: BenchEnv,
  expected: number,
  ctx: DrainContext,
): Promise<DrainResult> {
  const before = snapshotStackCpu(ctx.pids);
  const marks = [Date.now()];
  const workers = await startPipeline(env, ctx);
  marks.push(Date.now());
  try {
    const doneAtMs = await waitForPipeline(kafka, config, workers, () => expected, ctx.timeoutMs);
    marks.push(Date.now());
    const stack = cpuSpent(before, snapshotStackCpu(ctx.pids));
    const firstAtMs = workers.ingest.latest!.firstAtMs!;
    const stats = await stopPipeline(workers);
    marks.push(Date.now());
    return result('ours', expected, firstAtMs, doneAtMs, stats, stack, marks);
  } finally {
    killPipeline(workers);
  }
}

/** Ours with JOURNEY_TOPOLOGY=partitioned: the route stage and `states` state-step processes (each
 *  its own INSTANCE_ID), then the ingest, over the backlog of `expected` raw messages. */
export async function drainPartitioned(
  kafka: Kafka,
  config: PipelineConfig,
  env: BenchEnv,
  expected: number,
  states: number,
  ctx: DrainContext,
): Promise<DrainResult> {
  const before = snapshotStackCpu(ctx.pids);
  const marks = [Date.now()];
  const workers = await startPipeline({ ...env, JOURNEY_TOPOLOGY: 'partitioned' }, ctx, 0, states);
  marks.push(Date.now());
  try {
    const doneAtMs = await waitForPipeline(kafka, config, workers, () => expected, ctx.timeoutMs);
    marks.push(Date.now());
    const stack = cpuSpent(before, snapshotStackCpu(ctx.pids));
    const firstAtMs = workers.ingest.latest!.firstAtMs!;
    const stats = await stopPipeline(workers);
    marks.push(Date.now());
    const drained = result('ours', expected, firstAtMs, doneAtMs, stats, stack, marks);
    // One entry per state process (the roles repeat): state-0, state-1, ...
    stats.forEach((w, i) => {
      if (w.role === 'state') {
        delete drained.cpuSeconds['state'];
        drained.cpuSeconds[`state-${i - 2}`] = w.cpuUserSeconds + w.cpuSystemSeconds;
      }
    });
    return drained;
  } finally {
    killPipeline(workers);
  }
}
