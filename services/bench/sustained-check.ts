// Whether a paced run was sustained: the lag stayed bounded, i.e. latency did not keep growing.
// The samples are split by produce time into thirds; the first is warm-up (JIT, group join,
// first inserts), and the run is bounded when the last third's median latency is within 1.25x
// (+ 500 ms) of the middle third's. A backlog that grows for the whole run fails this; a steady
// latency, however large, does not (latency has its own figure).
import { percentile } from './bench-stats.ts';

export function latencyBounded(
  samples: ReadonlyArray<readonly [producedMs: number, ackMs: number]>,
  startMs: number,
  seconds: number,
): { bounded: boolean; middleP50Ms: number; lastP50Ms: number } {
  const third = (seconds * 1000) / 3;
  const middle: number[] = [];
  const last: number[] = [];
  for (const [produced, ack] of samples) {
    const t = produced - startMs;
    if (t >= 2 * third) last.push(ack - produced);
    else if (t >= third) middle.push(ack - produced);
  }
  middle.sort((a, b) => a - b);
  last.sort((a, b) => a - b);
  const middleP50Ms = percentile(middle, 50);
  const lastP50Ms = percentile(last, 50);
  const bounded = middle.length > 0 && last.length > 0 && lastP50Ms <= 1.25 * middleP50Ms + 500;
  return { bounded, middleP50Ms, lastP50Ms };
}
