import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caughtUp } from './bench-setup.ts';

test('caughtUp: every partition read up to its trailing transaction marker; empty partitions ignored', () => {
  const high = new Map<number, bigint>([
    [0, 101n],
    [1, 0n],
  ]);
  assert.equal(caughtUp(high, { 't:0': '99' }, 't'), true);
  assert.equal(caughtUp(high, { 't:0': '98' }, 't'), false);
  assert.equal(caughtUp(high, {}, 't'), false);
  assert.equal(caughtUp(new Map([[0, 0n]]), {}, 't'), true);
});
