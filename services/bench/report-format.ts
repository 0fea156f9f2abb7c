// The report's number formats and target checks, shared by its sections (report.ts, report-paced.ts).
import type { RunSummary } from './bench-stats.ts';

export interface TargetCheck {
  target: string;
  value: string;
  met: boolean | null;
}

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

export const check = (
  target: string,
  value: number,
  met: (v: number) => boolean,
  digits = 0,
  unit = '',
): TargetCheck => ({
  target,
  value: `${fmt(value, digits)}${unit}`,
  met: Number.isFinite(value) ? met(value) : null,
});

/** A throughput target with the most its topology's I/O alone reaches on the same machine (B3 / B1
 *  for the single writer, B4 / B1 for the partitioned topology): the bound no work can pass. */
export const withBound = (c: TargetCheck, relay: string, bound: RunSummary | undefined): TargetCheck =>
  bound && Number.isFinite(bound.median)
    ? { ...c, value: `${c.value} (the topology's I/O alone, ${relay} / B1: ${fmt(bound.median, 2)})` }
    : c;

/** One summary line: the median of the runs, with their min and max. */
export const line = (label: string, s: RunSummary | undefined, digits = 0, unit = ''): string =>
  s === undefined
    ? `  ${label}: n/a`
    : `  ${label.padEnd(44)} ${fmt(s.median, digits).padStart(12)}${unit}  (min ${fmt(s.min, digits)}, max ${fmt(s.max, digits)}, ${s.runs} runs)`;
