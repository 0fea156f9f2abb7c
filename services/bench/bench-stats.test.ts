import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latencySummary, per1k, percentile, ratio, summarizeFields, summarizeRuns } from './bench-stats.ts';

test('percentile: nearest rank over sorted values', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 95), 95);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile(values, 100), 100);
  assert.equal(percentile(values, 0), 1);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('latencySummary sorts its input and counts samples', () => {
  const s = latencySummary([30, 10, 20, 1000]);
  assert.deepEqual(s, { p50: 20, p95: 1000, p99: 1000, max: 1000, samples: 4 });
  assert.equal(latencySummary([]).samples, 0);
});

test('summarizeRuns: median of odd and even counts, min, max; non-finite runs left out', () => {
  assert.deepEqual(summarizeRuns([3, 1, 2]), { median: 2, min: 1, max: 3, runs: 3 });
  assert.deepEqual(summarizeRuns([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, runs: 4 });
  assert.deepEqual(summarizeRuns([5, Number.NaN, 7, 6]), { median: 6, min: 5, max: 7, runs: 3 });
  assert.equal(summarizeRuns([]).runs, 0);
});

test('ratio and per1k guard against a missing denominator', () => {
  assert.equal(ratio(5, 10), 0.5);
  assert.ok(Number.isNaN(ratio(5, 0)));
  assert.ok(Number.isNaN(ratio(Number.NaN, 3)));
  assert.equal(per1k(2, 4000), 0.5);
  assert.ok(Number.isNaN(per1k(2, 0)));
});

test('summarizeFields summarises each named field over the runs', () => {
  const s = summarizeFields(
    [
      { a: 1, b: 10 },
      { a: 3, b: 30 },
      { a: 2, b: 20 },
    ],
    ['a', 'b'],
  );
  assert.equal(s.a.median, 2);
  assert.equal(s.b.max, 30);
});
