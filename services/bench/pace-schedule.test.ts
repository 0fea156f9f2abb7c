import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dueBy,
  segmentStart,
  theoreticalRecoverySeconds,
  totalMessages,
  totalSeconds,
} from './pace-schedule.ts';

const burst = [
  { seconds: 5, rate: 100 },
  { seconds: 2, rate: 1000 },
  { seconds: 10, rate: 100 },
];

test('dueBy accumulates over constant-rate segments', () => {
  assert.equal(dueBy(burst, 0), 0);
  assert.equal(dueBy(burst, 1), 100);
  assert.equal(dueBy(burst, 5), 500);
  assert.equal(dueBy(burst, 6), 1500);
  assert.equal(dueBy(burst, 7), 2500);
  assert.equal(dueBy(burst, 17), 3500);
  assert.equal(dueBy(burst, 100), 3500);
  assert.equal(totalMessages(burst), 3500);
  assert.equal(totalSeconds(burst), 17);
  assert.equal(segmentStart(burst, 1), 5);
});

test('theoretical recovery: the burst drains at the spare capacity while the base load continues', () => {
  // 2,000 messages of burst at base 100/s with a maximum of 500/s: 2000 / 400 = 5 s.
  assert.equal(theoreticalRecoverySeconds(2000, 100, 500), 5);
  assert.equal(theoreticalRecoverySeconds(2000, 500, 500), Number.POSITIVE_INFINITY);
});
