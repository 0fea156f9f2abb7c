import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSampled, latenciesOf, splitWarmup } from './latency-sampling.ts';

test('isSampled takes about 1/every of the ids, the same ones every time', () => {
  const ids = Array.from({ length: 20_000 }, (_, i) => `behavior:msg-${i}`);
  const sampled = ids.filter((id) => isSampled(id, 16));
  assert.ok(sampled.length > 1000 && sampled.length < 1500, `${sampled.length} sampled`);
  assert.deepEqual(
    ids.filter((id) => isSampled(id, 16)),
    sampled,
  );
  assert.equal(ids.filter((id) => isSampled(id, 0)).length, 0);
  assert.equal(ids.filter((id) => isSampled(id, 1)).length, ids.length);
});

test('latenciesOf: first sighting per event, missing ones counted', () => {
  const produced = new Map([
    ['a', 1000],
    ['b', 2000],
    ['c', 3000],
  ]);
  const { latencies, missing } = latenciesOf(produced, [
    ['a', 1500],
    ['b', 2600],
    ['a', 1200],
    ['x', 9999],
  ]);
  assert.deepEqual(latencies, [200, 600]);
  assert.equal(missing, 1);
});

test('splitWarmup: the events produced in the first seconds are the warm-up, the rest are measured', () => {
  const produced = new Map([
    ['a', 10_000],
    ['b', 14_999],
    ['c', 15_000],
    ['d', 40_000],
  ]);
  const { warm, measured } = splitWarmup(produced, 10_000, 5);
  assert.deepEqual([...warm.keys()], ['a', 'b']);
  assert.deepEqual([...measured.keys()], ['c', 'd']);
  assert.equal(measured.get('c'), 15_000);
  // Without a warm-up every sample is measured.
  const none = splitWarmup(produced, 10_000, 0);
  assert.equal(none.warm.size, 0);
  assert.equal(none.measured.size, 4);
});
