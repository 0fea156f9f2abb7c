// Deterministic train/test split by account: a hash of (seed, account key) decides the side, so
// every snapshot of one account lands on the same side (no leakage between them) and the split
// does not depend on sample order.

import { createHash } from 'node:crypto';
import type { ChurnSample } from './fit-weights.ts';

/** A uniform number in [0, 1) from the seed and account key. */
export function splitPosition(seed: string, account: string): number {
  const digest = createHash('sha256').update(`churn_split\u0000${seed}\u0000${account}`, 'utf8').digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

export interface TrainTestSplit<T> {
  readonly train: T[];
  readonly test: T[];
}

/** Roughly `testFraction` of the accounts go to `test`; order within each side is preserved. */
export function trainTestSplit<T extends ChurnSample>(
  samples: readonly T[],
  seed: string,
  testFraction: number,
): TrainTestSplit<T> {
  if (!(testFraction >= 0 && testFraction <= 1))
    throw new RangeError(`testFraction must be in [0, 1], got ${testFraction}`);
  const train: T[] = [];
  const test: T[] = [];
  for (const sample of samples) {
    (splitPosition(seed, sample.signals.account) < testFraction ? test : train).push(sample);
  }
  return { train, test };
}
