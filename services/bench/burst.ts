// The burst: a base load at half the maximum, ten times that for a few seconds, then the base load
// again until the backlog is gone. Recovery is measured from the burst's start to the
// acknowledgement of the last sampled event that was still late (latency above the steady state's
// p99 before the burst, with a margin);
// the theory (pace-schedule.ts) assumes processing at the measured maximum from the burst's start.
import type { RateSegment } from './pace-schedule.ts';
import { theoreticalRecoverySeconds } from './pace-schedule.ts';

export interface BurstPlan {
  segments: RateSegment[];
  baseRate: number;
  burstRate: number;
  burstStartSeconds: number;
  burstSeconds: number;
  theorySeconds: number;
}

export function planBurst(
  maxRate: number,
  options: { leadSeconds: number; burstSeconds: number },
): BurstPlan {
  const baseRate = maxRate / 2;
  const burstRate = 10 * baseRate;
  const theorySeconds = theoreticalRecoverySeconds(
    (burstRate - baseRate) * options.burstSeconds,
    baseRate,
    maxRate,
  );
  return {
    segments: [
      { seconds: options.leadSeconds, rate: baseRate },
      { seconds: options.burstSeconds, rate: burstRate },
      // Enough base load after the burst to see the recovery (and the theory) with room to spare.
      { seconds: Math.ceil(1.6 * theorySeconds) + 5, rate: baseRate },
    ],
    baseRate,
    burstRate,
    burstStartSeconds: options.leadSeconds,
    burstSeconds: options.burstSeconds,
    theorySeconds,
  };
}

/**
 * Seconds from `burstStartMs` to the acknowledgement of the last event produced at or after the
 * burst's start whose latency exceeded `thresholdMs` (0: nothing fell behind).
 */
export function recoverySeconds(
  samples: ReadonlyArray<readonly [producedMs: number, ackMs: number]>,
  burstStartMs: number,
  thresholdMs: number,
): number {
  let last = burstStartMs;
  for (const [produced, ack] of samples) {
    if (produced >= burstStartMs && ack - produced > thresholdMs && ack > last) last = ack;
  }
  return (last - burstStartMs) / 1000;
}

/** Late means outside the steady state: a quarter above its p99 plus 250 ms. */
export const lateThresholdMs = (steadyP99Ms: number): number =>
  1.25 * (Number.isFinite(steadyP99Ms) ? steadyP99Ms : 0) + 250;
