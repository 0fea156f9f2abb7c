import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSampled, latenciesOf } from './latency-sampling.ts';

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
