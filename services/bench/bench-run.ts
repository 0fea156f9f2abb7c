// What one repetition of the benchmark measured (every figure of the report is summarised over these).
import type { QueryTiming } from './dashboard-queries.ts';
import type { PacedRun } from './run-paced.ts';
import type { DrainResult } from './run-drain.ts';

export interface SustainedAttempt {
  rate: number;
  sent: number;
  drainAfterEndSeconds: number;
  /** Median latency of the middle and last thirds of the run (sustained-check.ts). */
  middleP50Ms: number;
  lastP50Ms: number;
  bounded: boolean;
}

export interface BurstResult {
  baseRate: number;
  burstRate: number;
  achievedBurstRate: number;
  burstSeconds: number;
  theorySeconds: number;
  recoverySeconds: number;
  thresholdMs: number;
  expectedEvents: number;
  storedEvents: number;
  run: PacedRun;
}

/** The paced phases of one topology: sustained rate, latency at 50 %, burst. */
export interface PacedFigures {
  sustained: { rate: number; attempts: SustainedAttempt[] };
  latency: PacedRun | null;
  burst: BurstResult | null;
}

export interface BenchRun {
  run: number;
  drains: Record<'B0' | 'B1' | 'B2' | 'B3' | 'B4' | 'ours', DrainResult>;
  oursLoss: { expectedEvents: number; storedEvents: number; expectedDlq: number; storedDlq: number };
  dashboard: QueryTiming[];
  sustained: { rate: number; attempts: SustainedAttempt[] };
  latency: PacedRun | null;
  burst: BurstResult | null;
  /** JOURNEY_TOPOLOGY=partitioned with 1..N state processes (`--partitioned N`). */
  partitioned?: Array<{ states: number; drain: DrainResult }>;
  /** The paced phases on the partitioned topology (route + one state process), with --partitioned. */
  partitionedPaced?: PacedFigures;
}
