import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lagOf } from './lag-monitor.ts';

test('lag: the end minus the committed offset; a trailing commit marker is no lag; no commit counts from the start', () => {
  assert.equal(lagOf('10', { low: '0', high: '25' }), 15);
  assert.equal(lagOf('10', { low: '0', high: '11' }), 0, 'a transaction marker');
  assert.equal(lagOf('10', { low: '0', high: '10' }), 0);
  assert.equal(lagOf('-1', { low: '40', high: '100' }), 60);
  assert.equal(lagOf('-1', { low: '0', high: '0' }), 0);
});
