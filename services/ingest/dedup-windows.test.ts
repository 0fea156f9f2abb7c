import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DedupWindows } from './dedup-windows.ts';

test('windows follow the assignment: a revoked partition frees its window, an owned one keeps its ids', () => {
  const windows = new DedupWindows({ maxEntries: 10, maxAgeMs: 60_000 });
  windows.for('raw.behavior', 0).checkAndRemember('e1', 0);
  windows.for('raw.behavior', 1).checkAndRemember('e2', 0);
  windows.for('raw.billing', 0).checkAndRemember('e3', 0);
  assert.equal(windows.size, 3);
  windows.retain({ 'raw.behavior': [1], 'raw.tickets': [0] });
  assert.equal(windows.size, 1);
  assert.equal(windows.for('raw.behavior', 1).checkAndRemember('e2', 1), true, 'still a duplicate');
  assert.equal(windows.for('raw.behavior', 0).checkAndRemember('e1', 1), false, 'a fresh window');
  windows.drop('raw.behavior', 1);
  assert.equal(windows.for('raw.behavior', 1).checkAndRemember('e2', 2), false);
});
