// An offered-load schedule: consecutive segments of constant rate (messages per second). Pure:
// how many messages are due by a time, and where each segment starts, so a paced producer and
// the burst's theoretical recovery time read the same numbers.

export interface RateSegment {
  seconds: number;
  rate: number;
}

export const totalSeconds = (segments: readonly RateSegment[]): number =>
  segments.reduce((sum, s) => sum + s.seconds, 0);

export const totalMessages = (segments: readonly RateSegment[]): number =>
  Math.floor(segments.reduce((sum, s) => sum + s.seconds * s.rate, 0));

/** Messages due by `t` seconds after the start (cumulative, floor). */
export function dueBy(segments: readonly RateSegment[], t: number): number {
  let due = 0;
  let start = 0;
  for (const s of segments) {
    if (t <= start) break;
    due += Math.min(t - start, s.seconds) * s.rate;
    start += s.seconds;
  }
  return Math.floor(due);
}

/** Start time (seconds) of segment `index`. */
export const segmentStart = (segments: readonly RateSegment[], index: number): number =>
  totalSeconds(segments.slice(0, index));

/**
 * Theoretical recovery time after a burst, from the burst's start: `excessMessages` (the burst's
 * messages above the base load, (burstRate - baseRate) x burstSeconds) drain at the spare capacity
 * `maxRate - baseRate` while the base load keeps arriving, processing at the maximum from the
 * burst's start. Infinity when there is no spare capacity.
 */
export function theoreticalRecoverySeconds(
  excessMessages: number,
  baseRate: number,
  maxRate: number,
): number {
  const spare = maxRate - baseRate;
  return spare > 0 ? excessMessages / spare : Number.POSITIVE_INFINITY;
}
