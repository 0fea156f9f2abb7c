import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topSelfTime } from './profile-summary.ts';

test('topSelfTime weighs samples by their time deltas and ranks by self time', () => {
  const frame = (functionName: string) => ({ functionName, url: 'file:///x/services/a.ts', lineNumber: 0 });
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)') },
      { id: 2, callFrame: frame('hot') },
      { id: 3, callFrame: frame('cold') },
    ],
    samples: [2, 2, 3, 2],
    timeDeltas: [0, 10, 10, 10],
  };
  const top = topSelfTime(profile, 2);
  assert.equal(top[0]!.function, 'hot');
  assert.equal(top[0]!.location, 'services/a.ts:1');
  assert.ok(Math.abs(top[0]!.selfPercent - 75) < 1e-9);
  assert.equal(top.length, 2);
});
