// The report's figures of the paced phases (sustained rate, latency at 50 %, burst) for either
// topology, and of the partitioned topology's drains by state-process count (issue #18): its
// throughput beside B1 and the single writer, and each process's CPU per 1,000 events, so that
// no instance is seen doing more than its share as instances are added.
import { per1k, ratio, summarizeRuns } from './bench-stats.ts';
import type { RunSummary } from './bench-stats.ts';
import type { BenchRun, PacedFigures } from './bench-run.ts';
import type { WorkerStats } from './worker-protocol.ts';
import type { DrainResult } from './run-drain.ts';
import { check, line, withBound } from './report-format.ts';
import type { TargetCheck } from './report-format.ts';

type Summaries = Record<string, RunSummary>;

export interface PacedSummaries {
  maxSustainedEventsPerSecond: RunSummary;
  /** hops: per hop of the pipeline (hop-latency.ts), its p50 and p99 ("ingest p99", ...). */
  latencyAt50PercentMs: { offeredRate: RunSummary; ack: Summaries; probe: Summaries; hops: Summaries };
  burst: Summaries;
}

export interface PartitionedFigures {
  /** By state-process count ("1 state", "2 states", ...). */
  drains: Record<
    string,
    {
      eventsPerSecond: RunSummary;
      ratios: Summaries;
      /** CPU s per 1k messages drained (all of them), per process, its whole life. */
      cpuPer1k: Summaries;
      /** Each state process's CPU s per 1k messages *it* handled, once ready (its first
       *  group join: restores that follow, at that join or a later rebalance, count), and all state processes' together per 1k messages drained: constant as
       *  processes are added when no process does more than its share. */
      stateCpuPer1kOwn: Summaries;
      inserts: Summaries;
    }
  >;
  /** The paced phases on route + one state process (null: the bench ran --drain-only). */
  paced: PacedSummaries | null;
}

const over = (runs: readonly BenchRun[], pick: (r: BenchRun) => number | undefined): RunSummary =>
  summarizeRuns(runs.map((r) => pick(r) ?? Number.NaN));

export function pacedSummaries(
  runs: readonly BenchRun[],
  pick: (r: BenchRun) => PacedFigures | undefined,
): PacedSummaries {
  const ack: Summaries = {};
  const probe: Summaries = {};
  for (const q of ['p50', 'p95', 'p99'] as const) {
    ack[q] = over(runs, (r) => pick(r)?.latency?.ackLatencyMs[q]);
    probe[q] = over(runs, (r) => pick(r)?.latency?.probeLatencyMs[q]);
  }
  ack.samples = over(runs, (r) => pick(r)?.latency?.ackLatencyMs.samples);
  // The phase's warm-up (fresh processes), apart from the figures above.
  ack['warm-up p99'] = over(runs, (r) => pick(r)?.latency?.warmupAckLatencyMs?.p99);
  probe.samples = over(runs, (r) => pick(r)?.latency?.probeLatencyMs.samples);
  const hops: Summaries = {};
  const hopNames = new Set(runs.flatMap((r) => Object.keys(pick(r)?.latency?.hopsMs ?? {})));
  for (const name of hopNames)
    for (const q of ['p50', 'p99'] as const)
      hops[`${name} ${q}`] = over(runs, (r) => pick(r)?.latency?.hopsMs?.[name]?.[q]);
  const burst = (r: BenchRun) => pick(r)?.burst ?? null;
  return {
    maxSustainedEventsPerSecond: over(runs, (r) => pick(r)?.sustained.rate),
    latencyAt50PercentMs: {
      offeredRate: over(runs, (r) => pick(r)?.latency?.segments[0]?.rate),
      ack,
      probe,
      hops,
    },
    burst: {
      base_rate: over(runs, (r) => burst(r)?.baseRate),
      offered_burst_rate: over(runs, (r) => burst(r)?.achievedBurstRate),
      recovery_seconds: over(runs, (r) => burst(r)?.recoverySeconds),
      theory_seconds: over(runs, (r) => burst(r)?.theorySeconds),
      recovery_over_theory: over(runs, (r) => {
        const b = burst(r);
        return b ? ratio(b.recoverySeconds, b.theorySeconds) : Number.NaN;
      }),
      lost_events: over(runs, (r) => {
        const b = burst(r);
        return b ? b.expectedEvents - b.storedEvents : Number.NaN;
      }),
    },
  };
}

/** A worker's CPU seconds after its first group join (its fixed start-up cost left out). */
export const cpuOnceReady = (w: WorkerStats): number =>
  w.cpuUserSeconds + w.cpuSystemSeconds - w.cpuToReadySeconds;

/** One partitioned drain's CPU per 1k of the `n` messages, per process, for the progress line; each
 *  state process also per 1k of the messages it handled, once ready. */
export function partitionedCpuPer1k(drain: DrainResult, n: number): string {
  const stateWorkers = drain.workers.filter((w) => w.role === 'state');
  return Object.entries(drain.cpuSeconds)
    .filter(([role]) => role === 'ingest' || role === 'route' || role.startsWith('state'))
    .map(([role, cpu]) => {
      const w = role.startsWith('state-') ? stateWorkers[Number(role.slice(6))] : undefined;
      const own = w
        ? ` (${per1k(cpuOnceReady(w), Math.max(1, w.processed)).toFixed(2)} per own 1k once ready)`
        : '';
      return `${role} ${per1k(cpu, n).toFixed(2)}${own}`;
    })
    .join(', ');
}

export function partitionedFigures(runs: readonly BenchRun[]): PartitionedFigures | null {
  const counts = [...new Set(runs.flatMap((r) => (r.partitioned ?? []).map((p) => p.states)))].sort();
  if (counts.length === 0) return null;
  const drains: PartitionedFigures['drains'] = {};
  for (const states of counts) {
    const drainOf = (r: BenchRun) => r.partitioned?.find((p) => p.states === states)?.drain;
    const roles = new Set(runs.flatMap((r) => Object.keys(drainOf(r)?.cpuSeconds ?? {})));
    const cpuPer1k: Summaries = {};
    for (const role of roles)
      cpuPer1k[role] = over(runs, (r) => {
        const d = drainOf(r);
        return d ? per1k(d.cpuSeconds[role] ?? Number.NaN, d.events) : undefined;
      });
    const stateWorkers = (r: BenchRun) => (drainOf(r)?.workers ?? []).filter((w) => w.role === 'state');
    const stateCpuPer1kOwn: Summaries = {};
    for (let i = 0; i < states; i++)
      stateCpuPer1kOwn[`state-${i}`] = over(runs, (r) => {
        const w = stateWorkers(r)[i];
        return w ? per1k(cpuOnceReady(w), w.processed) : undefined;
      });
    stateCpuPer1kOwn['all states'] = over(runs, (r) => {
      const d = drainOf(r);
      return d
        ? per1k(
            stateWorkers(r).reduce((t, w) => t + cpuOnceReady(w), 0),
            d.events,
          )
        : undefined;
    });
    // ClickHouse inserts of the route and every state process, all tables: how many per 1k
    // messages and how many rows each (more, smaller inserts as state processes are added?).
    const writers = (r: BenchRun) =>
      (drainOf(r)?.workers ?? []).filter((w) => w.role === 'route' || w.role === 'state');
    const insertTotals = (r: BenchRun) =>
      writers(r)
        .flatMap((w) => Object.entries(w.inserts).filter(([table]) => table !== 'dlq_events'))
        .reduce((t, [, i]) => ({ inserts: t.inserts + i.inserts, rows: t.rows + i.rows }), {
          inserts: 0,
          rows: 0,
        });
    const eventsTable = (r: BenchRun) =>
      writers(r)
        .map((w) => w.inserts.journey_events)
        .reduce((t, i) => ({ inserts: t.inserts + (i?.inserts ?? 0), rows: t.rows + (i?.rows ?? 0) }), {
          inserts: 0,
          rows: 0,
        });
    const inserts: Summaries = {
      per_1k_messages: over(runs, (r) => {
        const d = drainOf(r);
        return d ? per1k(insertTotals(r).inserts, d.events) : undefined;
      }),
      rows_per_insert: over(runs, (r) => {
        const t = insertTotals(r);
        return drainOf(r) && t.inserts > 0 ? t.rows / t.inserts : undefined;
      }),
      journey_events_rows_per_insert: over(runs, (r) => {
        const t = eventsTable(r);
        return drainOf(r) && t.inserts > 0 ? t.rows / t.inserts : undefined;
      }),
    };
    drains[`${states} state${states === 1 ? '' : 's'}`] = {
      inserts,
      eventsPerSecond: over(runs, (r) => drainOf(r)?.eventsPerSecond),
      ratios: {
        over_B1: over(runs, (r) =>
          ratio(drainOf(r)?.eventsPerSecond ?? Number.NaN, r.drains.B1.eventsPerSecond),
        ),
        over_single: over(runs, (r) =>
          ratio(drainOf(r)?.eventsPerSecond ?? Number.NaN, r.drains.ours.eventsPerSecond),
        ),
        over_B4: over(runs, (r) =>
          ratio(drainOf(r)?.eventsPerSecond ?? Number.NaN, r.drains.B4.eventsPerSecond),
        ),
      },
      cpuPer1k,
      stateCpuPer1kOwn,
    };
  }
  const paced = runs.some((r) => r.partitionedPaced) ? pacedSummaries(runs, (r) => r.partitionedPaced) : null;
  return { drains, paced };
}

/** The paced phases' targets (issue #18): p99 at 50 % load, burst recovery, no loss in the burst. */
export function pacedTargets(
  prefix: string,
  paced: Pick<PacedSummaries, 'latencyAt50PercentMs' | 'burst'>,
  burstLimit: number,
): TargetCheck[] {
  return [
    check(
      `${prefix}p99 event -> queryable < 2 s at 50 % load, after the warm-up (insert ack)`,
      paced.latencyAt50PercentMs.ack.p99!.median,
      (v) => v < 2000,
      0,
      ' ms',
    ),
    check(
      `${prefix}burst recovery within ${burstLimit}x of theory`,
      paced.burst.recovery_over_theory!.median,
      (v) => v <= burstLimit,
      2,
      'x',
    ),
    check(`${prefix}no loss during the burst`, paced.burst.lost_events!.max, (v) => v === 0),
  ];
}

export function partitionedTargets(p: PartitionedFigures | null, bound?: RunSummary): TargetCheck[] {
  if (!p) return [];
  const oneState = p.drains['1 state']?.ratios.over_B1 ?? summarizeRuns([]);
  return [
    withBound(
      check('partitioned: ours / B1 >= 0.5', oneState.median, (v) => v >= 0.5, 2),
      'B4',
      bound,
    ),
    ...(p.paced ? pacedTargets('partitioned: ', p.paced, 1.5) : []),
  ];
}

/** The summary's partitioned sections (nothing without --partitioned). */
export function renderPartitioned(p: PartitionedFigures | null): string[] {
  if (!p) return [];
  const out = ['', 'Partitioned topology (route + N state processes + ingest), drain'];
  for (const [n, d] of Object.entries(p.drains)) {
    out.push(line(`${n}: events/s`, d.eventsPerSecond));
    for (const [k, s] of Object.entries(d.ratios)) out.push(line(`${n}: ${k}`, s, 2));
    for (const [role, s] of Object.entries(d.cpuPer1k)) out.push(line(`${n}: CPU s/1k ${role}`, s, 3));
    for (const [role, s] of Object.entries(d.stateCpuPer1kOwn))
      out.push(line(`${n}: once ready, CPU s/1k own messages ${role}`, s, 3));
    for (const [k, s] of Object.entries(d.inserts)) out.push(line(`${n}: ClickHouse inserts ${k}`, s, 1));
  }
  if (p.paced) {
    out.push('', 'Partitioned topology (route + 1 state process), paced');
    out.push(line('max sustained (paced, lag bounded)', p.paced.maxSustainedEventsPerSecond));
    out.push(line('offered rate at 50 % (events/s)', p.paced.latencyAt50PercentMs.offeredRate));
    for (const [q, s] of Object.entries(p.paced.latencyAt50PercentMs.ack))
      out.push(line(`insert ack ${q}`, s));
    for (const [q, s] of Object.entries(p.paced.latencyAt50PercentMs.probe))
      out.push(line(`probe query ${q}`, s));
    for (const [k, s] of Object.entries(p.paced.latencyAt50PercentMs.hops)) out.push(line(`hop ${k}`, s));
    for (const [k, s] of Object.entries(p.paced.burst)) out.push(line(`burst ${k}`, s, 2));
  }
  return out;
}
