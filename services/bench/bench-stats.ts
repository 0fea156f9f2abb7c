// Pure statistics of the benchmark: percentiles of latency samples, the median/min/max summary of
// repeated runs (every figure of the report is one), and ratios against a baseline.

export interface RunSummary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  samples: number;
}

/** Nearest-rank percentile (p in [0, 100]) of ascending `sorted` values; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function latencySummary(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
    samples: sorted.length,
  };
}

/** Median (mean of the middle two for an even count), min and max of the runs' values. */
export function summarizeRuns(values: readonly number[]): RunSummary {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0 };
  const mid = finite.length >> 1;
  const median = finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
  return { median, min: finite[0]!, max: finite[finite.length - 1]!, runs: finite.length };
}

/** ours / baseline, NaN when the baseline is zero or missing. */
export function ratio(ours: number, baseline: number): number {
  return baseline > 0 && Number.isFinite(baseline) && Number.isFinite(ours) ? ours / baseline : Number.NaN;
}

/** Per 1,000 events: `amount` spent on `events` events. */
export const per1k = (amount: number, events: number): number =>
  events > 0 ? (1000 * amount) / events : Number.NaN;

/** Summarises the same numeric field of every run, keyed by field name. */
export function summarizeFields<K extends string>(
  runs: ReadonlyArray<Readonly<Record<K, number>>>,
  fields: readonly K[],
): Record<K, RunSummary> {
  const out = {} as Record<K, RunSummary>;
  for (const field of fields) out[field] = summarizeRuns(runs.map((r) => r[field]));
  return out;
}
