// The report: every figure as the median of the runs with min and max, the targets of issue #9
// with whether they were met, written as JSON and as a readable summary into the report folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { per1k, ratio, summarizeRuns } from './bench-stats.ts';
import type { RunSummary } from './bench-stats.ts';
import type { BenchRun } from './bench-run.ts';

export type { TargetCheck } from './report-format.ts';
import type { HotFunction } from './profile-summary.ts';
import type { IdentityMemory, StageMemory } from './memory.ts';
import {
  partitionedFigures,
  pacedSummaries,
  pacedTargets,
  partitionedTargets,
  renderPartitioned,
} from './report-paced.ts';
import { check, fmt, line, withBound } from './report-format.ts';
import type { TargetCheck } from './report-format.ts';
import type { PacedSummaries, PartitionedFigures } from './report-paced.ts';

export interface BenchMeta {
  date: string;
  machine: Record<string, string | number>;
  versions: Record<string, string>;
  options: Record<string, unknown>;
  workload: Record<string, unknown>;
  conditions: string;
}

type Summaries = Record<string, RunSummary>;

export interface BenchFigures {
  throughputEventsPerSecond: Summaries;
  ratios: Summaries;
  maxSustainedEventsPerSecond: RunSummary;
  cpuSecondsPer1kEvents: Record<string, Summaries>;
  latencyAt50PercentMs: PacedSummaries['latencyAt50PercentMs'];
  burst: Summaries;
  /** JOURNEY_TOPOLOGY=partitioned (`--partitioned N`): drains by state processes, paced phases. */
  partitioned: PartitionedFigures | null;
  memory: {
    identityGraph: IdentityMemory[];
    /** The stages' pure cores over the workload up to 1M identifiers / 100k accounts (once). */
    stages: StageMemory;
    journeyProcess: Summaries;
    accountStateBytes: Summaries;
  };
  inserts: Record<string, { insertsPerSecond: RunSummary; rowsPerInsert: RunSummary }>;
  eventLoopDelayP99Ms: Summaries;
  /** Consumed batches of the stages during the drain and at 50 % load. */
  batches: Summaries;
  /** Share of the journey stage's drain time spent waiting on ClickHouse inserts. */
  journeyInsertShare: RunSummary;
  dashboardQueryMs: Summaries;
  loss: Summaries;
}

export interface BenchReport {
  meta: BenchMeta;
  figures: BenchFigures;
  targets: TargetCheck[];
  profiles: Record<string, HotFunction[]>;
  runs: BenchRun[];
}

const over = (runs: readonly BenchRun[], pick: (r: BenchRun) => number | undefined): RunSummary =>
  summarizeRuns(runs.map((r) => pick(r) ?? Number.NaN));

export function buildFigures(
  runs: readonly BenchRun[],
  identityGraph: IdentityMemory[],
  stages: StageMemory,
): BenchFigures {
  const consumers = ['B0', 'B1', 'B2', 'B3', 'B4', 'ours'] as const;
  const throughput: Summaries = {};
  for (const c of consumers) throughput[c] = over(runs, (r) => r.drains[c].eventsPerSecond);
  const ratios: Summaries = {
    ours_over_B1: over(runs, (r) => ratio(r.drains.ours.eventsPerSecond, r.drains.B1.eventsPerSecond)),
    ours_over_B0: over(runs, (r) => ratio(r.drains.ours.eventsPerSecond, r.drains.B0.eventsPerSecond)),
    ours_over_B2: over(runs, (r) => ratio(r.drains.ours.eventsPerSecond, r.drains.B2.eventsPerSecond)),
    B1_over_B0: over(runs, (r) => ratio(r.drains.B1.eventsPerSecond, r.drains.B0.eventsPerSecond)),
    // The topology's I/O alone (run-baseline-relay.ts): the most ours / B1 can be on this machine.
    B3_over_B1: over(runs, (r) => ratio(r.drains.B3.eventsPerSecond, r.drains.B1.eventsPerSecond)),
    B4_over_B1: over(runs, (r) => ratio(r.drains.B4.eventsPerSecond, r.drains.B1.eventsPerSecond)),
    ours_over_B3: over(runs, (r) => ratio(r.drains.ours.eventsPerSecond, r.drains.B3.eventsPerSecond)),
  };
  const cpu: Record<string, Summaries> = {};
  for (const c of consumers) {
    const components = new Set(runs.flatMap((r) => Object.keys(r.drains[c].cpuSeconds)));
    cpu[c] = {};
    for (const component of components)
      cpu[c][component] = over(runs, (r) =>
        per1k(r.drains[c].cpuSeconds[component] ?? Number.NaN, r.drains[c].events),
      );
    cpu[c].node_total = over(runs, (r) =>
      per1k(
        r.drains[c].workers.reduce((s, w) => s + w.cpuUserSeconds + w.cpuSystemSeconds, 0),
        r.drains[c].events,
      ),
    );
  }
  const single = pacedSummaries(runs, (r) => r);
  const journeyOf = (r: BenchRun) => r.drains.ours.workers.find((w) => w.role === 'journey');
  const ingestOf = (r: BenchRun) => r.drains.ours.workers.find((w) => w.role === 'ingest');
  const tables = new Set(runs.flatMap((r) => Object.keys(journeyOf(r)?.inserts ?? {})));
  const inserts: BenchFigures['inserts'] = {};
  for (const table of tables) {
    inserts[table] = {
      insertsPerSecond: over(
        runs,
        (r) => (journeyOf(r)?.inserts[table]?.inserts ?? 0) / r.drains.ours.seconds,
      ),
      rowsPerInsert: over(runs, (r) => {
        const s = journeyOf(r)?.inserts[table];
        return s && s.inserts > 0 ? s.rows / s.inserts : Number.NaN;
      }),
    };
  }
  const passthrough = (r: BenchRun) => r.drains.B1.workers[0]?.inserts.bench_passthrough;
  inserts['B1 bench_passthrough'] = {
    insertsPerSecond: over(runs, (r) => (passthrough(r)?.inserts ?? 0) / r.drains.B1.seconds),
    rowsPerInsert: over(runs, (r) => {
      const s = passthrough(r);
      return s && s.inserts > 0 ? s.rows / s.inserts : Number.NaN;
    }),
  };
  const dashboard: Summaries = {};
  for (const name of new Set(runs.flatMap((r) => r.dashboard.map((q) => q.name))))
    dashboard[name] = over(runs, (r) => {
      const q = r.dashboard.find((d) => d.name === name);
      return q && q.error === null ? q.ms : Number.NaN;
    });
  return {
    throughputEventsPerSecond: throughput,
    ratios,
    maxSustainedEventsPerSecond: single.maxSustainedEventsPerSecond,
    cpuSecondsPer1kEvents: cpu,
    latencyAt50PercentMs: single.latencyAt50PercentMs,
    burst: single.burst,
    partitioned: partitionedFigures(runs),
    memory: {
      identityGraph,
      stages,
      journeyProcess: {
        identifiers: over(runs, (r) => journeyOf(r)?.state?.identifiers),
        persons: over(runs, (r) => journeyOf(r)?.state?.persons),
        accounts: over(runs, (r) => journeyOf(r)?.state?.accounts),
        rss_mb: over(runs, (r) => (journeyOf(r)?.rssBytes ?? Number.NaN) / 1048576),
        heap_used_mb_after_gc: over(runs, (r) => (journeyOf(r)?.heapUsedBytes ?? Number.NaN) / 1048576),
        ingest_rss_mb: over(runs, (r) => (ingestOf(r)?.rssBytes ?? Number.NaN) / 1048576),
      },
      accountStateBytes: {
        mean: over(runs, (r) => journeyOf(r)?.state?.stateBytesMean),
        p99: over(runs, (r) => journeyOf(r)?.state?.stateBytesP99),
        max: over(runs, (r) => journeyOf(r)?.state?.stateBytesMax),
      },
    },
    inserts,
    eventLoopDelayP99Ms: {
      ingest_drain: over(runs, (r) => ingestOf(r)?.eventLoopDelayP99Ms),
      journey_drain: over(runs, (r) => journeyOf(r)?.eventLoopDelayP99Ms),
      ingest_at_50_percent: over(runs, (r) => r.latency?.ingest.eventLoopDelayP99Ms),
      journey_at_50_percent: over(runs, (r) => r.latency?.journey.eventLoopDelayP99Ms),
    },
    batches: {
      ingest_drain_count: over(runs, (r) => ingestOf(r)?.batches?.count),
      ingest_drain_mean_messages: over(runs, (r) => ingestOf(r)?.batches?.meanMessages),
      ingest_drain_mean_ms: over(runs, (r) => ingestOf(r)?.batches?.meanMs),
      journey_drain_count: over(runs, (r) => journeyOf(r)?.batches?.count),
      journey_drain_mean_messages: over(runs, (r) => journeyOf(r)?.batches?.meanMessages),
      journey_drain_mean_ms: over(runs, (r) => journeyOf(r)?.batches?.meanMs),
      ingest_at_50_percent_mean_messages: over(runs, (r) => r.latency?.ingest.batches?.meanMessages),
      ingest_at_50_percent_mean_ms: over(runs, (r) => r.latency?.ingest.batches?.meanMs),
      journey_at_50_percent_mean_messages: over(runs, (r) => r.latency?.journey.batches?.meanMessages),
      journey_at_50_percent_mean_ms: over(runs, (r) => r.latency?.journey.batches?.meanMs),
    },
    journeyInsertShare: over(runs, (r) => {
      const j = journeyOf(r);
      if (!j) return Number.NaN;
      const seconds = Object.entries(j.inserts)
        .filter(([table]) => table !== 'dlq_events') // the DLQ mirror is a separate consumer
        .reduce((s, [, i]) => s + i.seconds, 0);
      return seconds / r.drains.ours.seconds;
    }),
    dashboardQueryMs: dashboard,
    loss: {
      drain_lost_events: over(runs, (r) => r.oursLoss.expectedEvents - r.oursLoss.storedEvents),
      drain_missing_dead_letters: over(runs, (r) => r.oursLoss.expectedDlq - r.oursLoss.storedDlq),
      latency_phase_lost_events: over(runs, (r) =>
        r.latency ? r.latency.expectedEvents - r.latency.storedEvents : Number.NaN,
      ),
    },
  };
}

export function checkTargets(f: BenchFigures): TargetCheck[] {
  const known = f.memory.identityGraph.find((m) => m.shape === 'known');
  const maxDashboard = Math.max(
    ...Object.values(f.dashboardQueryMs)
      .map((s) => s.median)
      .filter(Number.isFinite),
  );
  return [
    withBound(
      check('ours / B1 >= 0.5', f.ratios.ours_over_B1!.median, (v) => v >= 0.5, 2),
      'B3',
      f.ratios.B3_over_B1,
    ),
    check(
      '>= 25,000 events/s end to end (max sustained)',
      f.maxSustainedEventsPerSecond.median,
      (v) => v >= 25_000,
    ),
    ...pacedTargets('', f, 1.2),
    check(
      'p99 event -> queryable < 2 s at 50 % load, after the warm-up (probe)',
      f.latencyAt50PercentMs.probe.p99!.median,
      (v) => v < 2000,
      0,
      ' ms',
    ),
    check(
      '<= 400 bytes per identifier (identity graph)',
      known?.bytes_per_identifier ?? Number.NaN,
      (v) => v <= 400,
      0,
      ' B',
    ),
    check(
      '<= 4 KB of stage state per account (serialised, max)',
      f.memory.accountStateBytes.max!.median,
      (v) => v <= 4096,
      0,
      ' B',
    ),
    check(
      '<= 4 KB of stage state per account (in memory, mean)',
      f.memory.stages.bytesPerState,
      (v) => v <= 4096,
      0,
      ' B',
    ),
    check('every dashboard query < 1 s (at this data size)', maxDashboard, (v) => v < 1000, 0, ' ms'),
    ...partitionedTargets(f.partitioned, f.ratios.B4_over_B1),
  ];
}

export function renderSummary(report: BenchReport): string {
  const { meta, figures: f } = report;
  const out: string[] = [];
  out.push(`journey-pipeline benchmark — ${meta.date}`);
  out.push(
    `machine: ${Object.entries(meta.machine)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  out.push(
    `versions: ${Object.entries(meta.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  out.push(
    `workload: ${Object.entries(meta.workload)
      .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(', ')}`,
  );
  out.push(`conditions: ${meta.conditions}`);
  out.push('', 'Drain throughput, events/s (median of runs, min, max)');
  for (const [k, s] of Object.entries(f.throughputEventsPerSecond)) out.push(line(k, s));
  for (const [k, s] of Object.entries(f.ratios)) out.push(line(k, s, 2));
  out.push(line('max sustained (paced, lag bounded)', f.maxSustainedEventsPerSecond));
  out.push('', 'CPU seconds per 1,000 events, by component');
  for (const [consumer, comps] of Object.entries(f.cpuSecondsPer1kEvents))
    for (const [component, s] of Object.entries(comps)) out.push(line(`${consumer} ${component}`, s, 3));
  out.push('', 'Event -> queryable latency at 50 % of max, ms');
  out.push(line('offered rate (events/s)', f.latencyAt50PercentMs.offeredRate));
  for (const [q, s] of Object.entries(f.latencyAt50PercentMs.ack)) out.push(line(`insert ack ${q}`, s));
  for (const [q, s] of Object.entries(f.latencyAt50PercentMs.probe)) out.push(line(`probe query ${q}`, s));
  for (const [k, s] of Object.entries(f.latencyAt50PercentMs.hops)) out.push(line(`hop ${k}`, s));
  out.push('', 'Burst (10x for a few seconds at 50 % base)');
  for (const [k, s] of Object.entries(f.burst)) out.push(line(k, s, 2));
  out.push(...renderPartitioned(f.partitioned));
  out.push('', 'Memory');
  for (const m of f.memory.identityGraph)
    out.push(
      `  identity graph (${m.shape}): ${fmt(m.identifiers)} identifiers, ${fmt(m.persons)} persons, ${fmt(m.bytes_per_identifier)} bytes/identifier`,
    );
  out.push(
    `  stages' pure cores: ${Object.entries(f.memory.stages)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  for (const [k, s] of Object.entries(f.memory.journeyProcess)) out.push(line(`journey process ${k}`, s, 1));
  for (const [k, s] of Object.entries(f.memory.accountStateBytes))
    out.push(line(`account state bytes ${k}`, s));
  out.push('', 'ClickHouse inserts during the drain (journey stage; B1 for comparison)');
  for (const [table, s] of Object.entries(f.inserts)) {
    out.push(line(`${table} inserts/s`, s.insertsPerSecond, 1));
    out.push(line(`${table} rows/insert`, s.rowsPerInsert, 1));
  }
  out.push('', 'Consumed batches (kafkajs batch events)');
  for (const [k, s] of Object.entries(f.batches)) out.push(line(k, s, 1));
  out.push(line('journey drain time waiting on ClickHouse', f.journeyInsertShare, 2));
  out.push('', 'Event-loop delay p99, ms');
  for (const [k, s] of Object.entries(f.eventLoopDelayP99Ms)) out.push(line(k, s, 1));
  out.push('', 'Dashboard queries over the drained data, ms');
  for (const [k, s] of Object.entries(f.dashboardQueryMs)) out.push(line(k, s, 1));
  out.push('', 'Loss checks');
  for (const [k, s] of Object.entries(f.loss)) out.push(line(k, s));
  out.push('', 'Targets');
  for (const t of report.targets)
    out.push(`  ${t.met === null ? '  ?' : t.met ? ' ok' : 'MISS'}  ${t.target}: ${t.value}`);
  for (const [file, top] of Object.entries(report.profiles)) {
    out.push('', `CPU profile ${file}: top self time`);
    for (const h of top.slice(0, 15))
      out.push(`  ${h.selfPercent.toFixed(1).padStart(5)} %  ${h.function}  ${h.location}`);
  }
  return `${out.join('\n')}\n`;
}

export function writeReport(dir: string, report: BenchReport): { json: string; summary: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const summary = join(dir, 'summary.txt');
  writeFileSync(
    json,
    `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
  );
  writeFileSync(summary, renderSummary(report));
  return { json, summary };
}
