import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latencyBounded } from './sustained-check.ts';

const run = (latencyAt: (t: number) => number): Array<[number, number]> =>
  Array.from({ length: 300 }, (_, i) => {
    const produced = 1000 + i * 100; // 30 s of samples
    return [produced, produced + latencyAt(i * 100)];
  });

test('a steady latency is bounded, however large', () => {
  assert.equal(
    latencyBounded(
      run(() => 4000),
      1000,
      30,
    ).bounded,
    true,
  );
});

test('a latency that keeps growing (a backlog building up) is not bounded', () => {
  const r = latencyBounded(
    run((t) => 200 + t / 5),
    1000,
    30,
  );
  assert.equal(r.bounded, false);
  assert.ok(r.lastP50Ms > r.middleP50Ms);
});

test('no samples in a third: not bounded (nothing shows it was)', () => {
  assert.equal(latencyBounded([], 0, 30).bounded, false);
});
