// `make bench`: measures the pipeline on the configured stack (the local one by default) against
// five baselines on the same topics in the same invocation, and writes report.json and
// summary.txt into .local/bench/<timestamp>/ (git-ignored). See docs/performance.md.
//
//   node services/bench/bench-main.ts [--events N] [--runs N] [--profile P] [--seed N]
//        [--latency-seconds S] [--identities N] [--cpu-prof] [--out DIR] [--keep] [--quick]
//
// Per invocation: generate and encode the workload once, produce it to fresh raw topics. Per run:
// B0, B1, B2, B3, B4 and ours drain it (throughput, CPU per component, inserts, state size, loss check,
// dashboard queries); then paced phases on fresh topics: the sustained-rate check, the latency at
// 50 % of that rate, and the burst. Once: identity-graph memory at 1M identifiers.
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Kafka } from 'kafkajs';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import { topicOf } from '../workload/produce-workload.ts';
import { parseBenchArgs } from './bench-options.ts';
import type { BenchOptions } from './bench-options.ts';
import { runConfig, runEnv } from './bench-config.ts';
import type { BenchEnv } from './bench-config.ts';
import { createRawTopics, preparePacedPhase, preparePipelineRun, removeBenchData } from './bench-setup.ts';
import type { BenchRun } from './bench-run.ts';
import { timeDashboardQueries } from './dashboard-queries.ts';
import { stackPids } from './measure-cpu.ts';
import { measureIdentityMemory, measureStageMemory } from './memory.ts';
import { prepareWorkload } from './prepare-workload.ts';
import type { BenchWorkload } from './prepare-workload.ts';
import { produceAll } from './produce-messages.ts';
import { summarizeProfileFile } from './profile-summary.ts';
import { buildFigures, checkTargets, writeReport } from './report.ts';
import { partitionedCpuPer1k } from './report-paced.ts';
import type { BenchReport } from './report.ts';
import { prepareBaselineTables } from './run-baseline-passthrough.ts';
import { drainBaseline, drainPartitioned, drainPipeline, drainRelay } from './run-drain.ts';
import { createRelayTopics } from './run-baseline-relay.ts';
import type { DrainContext, DrainResult } from './run-drain.ts';
import type { PacedSetup } from './run-paced.ts';
import type { WorkerRole } from './worker-protocol.ts';
import { pacedPhases } from './paced-phases.ts';
import type { Topology } from './paced-phases.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
/** The pipeline's own stage processes: `--node-flags` and `--cpu-prof` apply to them. */
const STAGE_ROLES: ReadonlySet<WorkerRole> = new Set(['ingest', 'journey', 'route', 'state']);
let began = performance.now();
let print: (line: string) => void = (line) => void process.stdout.write(line);
const say = (line: string): void =>
  print(`[${((performance.now() - began) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

function packageVersion(name: string): string {
  try {
    return (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return 'unknown';
  }
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

class Bench {
  readonly id = `bench.${Date.now().toString(36)}`;
  readonly databases: string[] = [];
  private seq = 0;
  readonly options: BenchOptions;
  readonly base: BenchEnv;
  readonly kafka: Kafka;
  readonly outDir: string;
  readonly ctx: DrainContext;

  constructor(options: BenchOptions, base: BenchEnv) {
    this.options = options;
    this.base = base;
    this.kafka = createKafka(runConfig(runEnv(base, this.id, this.id)), `${this.id}-admin`);
    this.outDir = resolve(
      options.out ?? join(ROOT, '.local', 'bench', new Date().toISOString().replace(/[:.]/g, '-')),
    );
    const pidsDir = base.BENCH_PIDS_DIR ?? join(ROOT, '.local', 'pids');
    const profiles = join(this.outDir, 'profiles');
    this.ctx = {
      pids: stackPids(pidsDir),
      timeoutMs: options.quick ? 120_000 : 30 * 60_000,
      label: 'run',
      execArgv: (role: WorkerRole, label: string) => [
        ...(role === 'journey' ? ['--expose-gc'] : []),
        ...(STAGE_ROLES.has(role) ? options.nodeFlags : []),
        ...(options.cpuProf && STAGE_ROLES.has(role)
          ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`, `--cpu-prof-name=${label}-${role}.cpuprofile`]
          : []),
      ],
    };
  }

  /** A fresh run prefix (downstream topics, groups, database) over the given raw topics. */
  env(rawPrefix: string): BenchEnv {
    const env = runEnv(this.base, rawPrefix, `${this.id}.r${++this.seq}`);
    this.databases.push(env.CLICKHOUSE_DATABASE!);
    return env;
  }

  /** Fresh raw and downstream topics and database for a paced phase. */
  pacedSetup(topology: Topology = 'single'): Promise<PacedSetup> {
    const env = { ...this.env(`${this.id}.p${++this.seq}`), JOURNEY_TOPOLOGY: topology };
    return preparePacedPhase(this.kafka, env, { profile: this.options.profile, seed: this.options.seed });
  }
}

async function countRows(bench: Bench, database: string): Promise<{ events: number; dlq: number }> {
  const client = createClickHouse(runConfig(runEnv(bench.base, bench.id, bench.id)), { database: null });
  try {
    const [row] = await (
      await client.query({
        query: `SELECT (SELECT uniqExact(event_id) FROM ${database}.journey_events) AS events, (SELECT count() FROM ${database}.dlq_events) AS dlq`,
        format: 'JSONEachRow',
      })
    ).json<{ events: string | number; dlq: string | number }>();
    return { events: Number(row?.events ?? 0), dlq: Number(row?.dlq ?? 0) };
  } finally {
    await client.close();
  }
}

async function oneRun(
  bench: Bench,
  run: number,
  workload: BenchWorkload,
  rawEnv: BenchEnv,
): Promise<BenchRun> {
  const { options } = bench;
  const n = workload.messages.length;
  const ctx = (label: string): DrainContext => ({ ...bench.ctx, label: `run${run}-${label}` });

  say(`run ${run}: B0 consume-only`);
  const b0 = await drainBaseline('B0', bench.env(bench.id), n, ctx('b0'));
  const phases = (d: { phaseSeconds: { start: number; work: number; stop: number } }): string =>
    `(start ${d.phaseSeconds.start.toFixed(1)} s, work ${d.phaseSeconds.work.toFixed(1)} s, stop ${d.phaseSeconds.stop.toFixed(1)} s)`;
  say(`  ${Math.round(b0.eventsPerSecond)} events/s ${phases(b0)}`);

  say(`run ${run}: B1 passthrough to ClickHouse`);
  const b1Env = bench.env(bench.id);
  await prepareBaselineTables(runConfig(b1Env));
  const b1 = await drainBaseline('B1', b1Env, n, ctx('b1'));
  say(`  ${Math.round(b1.eventsPerSecond)} events/s ${phases(b1)}`);
  const b1Inserts = b1.workers[0]?.inserts.bench_passthrough;
  const rowsPerInsert = b1Inserts && b1Inserts.inserts > 0 ? b1Inserts.rows / b1Inserts.inserts : 500;

  say(`run ${run}: B2 ClickHouse ceiling (${Math.round(rowsPerInsert)} rows per insert)`);
  const b2 = await drainBaseline('B2', b1Env, 0, ctx('b2'), rowsPerInsert);
  say(`  ${Math.round(b2.eventsPerSecond)} rows/s ${phases(b2)}`);

  // The topology's I/O alone (run-baseline-relay.ts): the most a pipeline of our shape can reach.
  const relays = {} as Record<'B3' | 'B4', DrainResult>;
  for (const consumer of ['B3', 'B4'] as const) {
    const hops = consumer === 'B3' ? 2 : 3;
    say(`run ${run}: ${consumer} relay (${hops - 1} exactly-once hop${hops > 2 ? 's' : ''}, then B1)`);
    const env = bench.env(bench.id);
    await prepareBaselineTables(runConfig(env));
    await createRelayTopics(bench.kafka, runConfig(env), hops);
    const drained = await drainRelay(consumer, env, n, ctx(consumer.toLowerCase()));
    relays[consumer] = drained;
    say(
      `  ${Math.round(drained.eventsPerSecond)} events/s (${(drained.eventsPerSecond / b1.eventsPerSecond).toFixed(2)} x B1) ${phases(drained)}`,
    );
  }

  say(`run ${run}: ours (ingest + journey processes)`);
  const oursEnv = bench.env(bench.id);
  const oursConfig = runConfig(oursEnv);
  await preparePipelineRun(bench.kafka, oursConfig);
  const ours = await drainPipeline(bench.kafka, oursConfig, oursEnv, n, ctx('drain'));
  say(`  ${Math.round(ours.eventsPerSecond)} events/s ${phases(ours)}`);
  const partitioned: NonNullable<BenchRun['partitioned']> = [];
  for (let states = 1; states <= options.partitioned; states++) {
    say(`run ${run}: ours partitioned (route + ${states} state processes + ingest)`);
    const env = { ...bench.env(bench.id), JOURNEY_TOPOLOGY: 'partitioned' };
    const config = runConfig(env);
    await preparePipelineRun(bench.kafka, config);
    const drain = await drainPartitioned(bench.kafka, config, env, n, states, ctx(`partitioned-${states}`));
    partitioned.push({ states, drain });
    const per1k = partitionedCpuPer1k(drain, n);
    say(
      `  ${Math.round(drain.eventsPerSecond)} events/s (${(drain.eventsPerSecond / ours.eventsPerSecond).toFixed(2)} x single, ${(drain.eventsPerSecond / b1.eventsPerSecond).toFixed(2)} x B1) ${phases(drain)}; CPU s per 1k messages: ${per1k}`,
    );
  }
  // The DLQ mirror is a separate consumer: give it a moment to catch up before counting.
  let stored = await countRows(bench, oursConfig.CLICKHOUSE_DATABASE);
  for (let i = 0; i < 50 && stored.dlq < workload.malformed; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    stored = await countRows(bench, oursConfig.CLICKHOUSE_DATABASE);
  }
  say(`run ${run}: dashboard queries over ${stored.events} events`);
  const client = createClickHouse(oursConfig);
  const dashboard = await timeDashboardQueries(client, oursConfig.CLICKHOUSE_DATABASE);
  await client.close();

  const oursLoss = {
    expectedEvents: workload.distinctValidEvents,
    storedEvents: stored.events,
    expectedDlq: workload.malformed,
    storedDlq: stored.dlq,
  };
  const drains = { B0: b0, B1: b1, B2: b2, ...relays, ours };
  if (options.drainOnly)
    return {
      run,
      partitioned,
      drains,
      oursLoss,
      dashboard,
      sustained: { rate: Number.NaN, attempts: [] },
      latency: null,
      burst: null,
    };

  const paced = await pacedPhases(bench, run, workload, ours.eventsPerSecond, ctx, say, 'single');
  // The same phases on the partitioned topology (route + one state process), from its own drain rate.
  const partitionedPaced =
    partitioned.length > 0
      ? await pacedPhases(
          bench,
          run,
          workload,
          partitioned[0]!.drain.eventsPerSecond,
          ctx,
          say,
          'partitioned',
        )
      : undefined;
  void rawEnv;
  return {
    run,
    partitioned,
    drains,
    oursLoss,
    dashboard,
    ...paced,
    ...(partitionedPaced ? { partitionedPaced } : {}),
  };
}

async function versions(bench: Bench): Promise<Record<string, string>> {
  let clickhouse = 'unknown';
  const client = createClickHouse(runConfig(runEnv(bench.base, bench.id, bench.id)), { database: null });
  try {
    const [row] = await (
      await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })
    ).json<{ v: string }>();
    clickhouse = row?.v ?? clickhouse;
  } finally {
    await client.close();
  }
  return {
    node: process.version,
    kafka: bench.base.KAFKA_VERSION ?? '3.9.1 (local stack default)',
    schema_registry: `Apicurio ${bench.base.APICURIO_VERSION ?? '3.0.9'} (local stack default)`,
    clickhouse: `${clickhouse}${bench.base.CLICKHOUSE_URL?.includes('127.0.0.1:18123') ? ` (chdb ${packageVersion('chdb')} behind the local HTTP front)` : ''}`,
    kafkajs: packageVersion('kafkajs'),
    '@clickhouse/client': packageVersion('@clickhouse/client'),
    avsc: packageVersion('avsc'),
    commit: git(['rev-parse', '--short', 'HEAD']),
    // Uncommitted changes under services/ measured along (others may be editing the tree).
    uncommitted_service_files: String(
      git(['status', '--porcelain', '--', 'services']).split('\n').filter(Boolean).length,
    ),
  };
}

export async function runBench(
  args: readonly string[],
  base: BenchEnv = process.env,
  progress: (line: string) => void = (line) => void process.stdout.write(line),
): Promise<BenchReport> {
  began = performance.now();
  print = progress;
  const parsed = parseBenchArgs(args);
  if (!parsed.ok) throw new Error(`bench: ${parsed.problems.join('; ')}`);
  const options = parsed.options;
  const bench = new Bench(options, base);
  const rawEnv = runEnv(base, bench.id, bench.id);
  const rawConfig = runConfig(rawEnv);
  const loadAtStart = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  say(
    `journey-pipeline benchmark ${bench.id}: ${options.events} events, ${options.runs} runs, profile ${options.profile}, seed ${options.seed}`,
  );
  try {
    await createRawTopics(bench.kafka, rawConfig);
    say('generating and encoding the workload');
    const workload = await prepareWorkload(rawConfig, {
      profile: options.profile,
      seed: options.seed,
      events: options.events,
      endMs: Date.now(),
    });
    say(
      `  ${workload.messages.length} messages, ${(workload.bytes / 1048576).toFixed(1)} MiB in ${workload.generateSeconds.toFixed(1)} s`,
    );
    const producer = bench.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const produceSeconds = await produceAll(
      producer,
      (source) => topicOf(rawConfig, source),
      workload.messages,
    );
    await producer.disconnect();
    say(
      `  produced in ${produceSeconds.toFixed(1)} s (${Math.round(workload.messages.length / produceSeconds)} messages/s)`,
    );

    const runs: BenchRun[] = [];
    for (let run = 1; run <= options.runs; run++) runs.push(await oneRun(bench, run, workload, rawEnv));

    say(`identity graph memory at ${options.identities} identifiers`);
    const identityGraph = await measureIdentityMemory(options.identities);
    const accounts = options.quick ? 500 : 100_000;
    say(
      `stage state: pure cores over up to ${options.stateEvents} events (stop at ${options.identities} identifiers and ${accounts} accounts)`,
    );
    const stageMemory = await measureStageMemory(options.identities, accounts, options.stateEvents);
    say(`  ${JSON.stringify(stageMemory)}`);

    const figures = buildFigures(runs, identityGraph, stageMemory);
    const profiles: BenchReport['profiles'] = {};
    const profileDir = join(bench.outDir, 'profiles');
    if (options.cpuProf && existsSync(profileDir)) {
      // The workers write their profiles as they exit, just after their report.
      await new Promise((done) => setTimeout(done, 3000));
      const dir = profileDir;
      for (const file of readdirSync(dir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .sort())
        profiles[file] = summarizeProfileFile(join(dir, file), 25);
    }
    const cpu = cpus();
    const report: BenchReport = {
      meta: {
        date: new Date().toISOString(),
        machine: {
          cpu: cpu[0]?.model ?? 'unknown',
          cores: cpu.length,
          memory_gib: Math.round(totalmem() / 2 ** 30),
          kernel: release(),
          load_average_at_start: loadAtStart,
        },
        versions: await versions(bench),
        options: { ...options },
        workload: {
          profile: workload.profile,
          seed: workload.seed,
          messages: workload.messages.length,
          mib: Math.round(workload.bytes / 104857.6) / 10,
          by_source: workload.bySource,
          malformed: workload.malformed,
          duplicates: workload.duplicates,
          late: workload.late,
          distinct_valid_events: workload.distinctValidEvents,
          produce_messages_per_second: Math.round(workload.messages.length / produceSeconds),
        },
        conditions:
          `broker, registry, ClickHouse and every measured process on this ${cpu.length}-core machine; ` +
          'ingest and journey each in its own Node process; the paced producer and probe in the main process; ' +
          'other work on the machine not controlled (see load average)',
      },
      figures,
      targets: checkTargets(figures),
      profiles,
      runs,
    };
    const written = writeReport(bench.outDir, report);
    say(`report: ${written.json}\nsummary: ${written.summary}`);
    return report;
  } finally {
    if (!options.keep)
      await removeBenchData(bench.kafka, rawConfig, bench.id, bench.databases).catch(() => undefined);
  }
}

if (import.meta.main) {
  runBench(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
