import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lateThresholdMs, planBurst, recoverySeconds } from './burst.ts';
import { dueBy, totalSeconds } from './pace-schedule.ts';

test('planBurst: base at half the maximum, 10x for the burst, theory from the spare capacity', () => {
  const plan = planBurst(1000, { leadSeconds: 5, burstSeconds: 2 });
  assert.equal(plan.baseRate, 500);
  assert.equal(plan.burstRate, 5000);
  // (5000 - 500) * 2 excess messages drain at 1000 - 500 per second: 18 s.
  assert.equal(plan.theorySeconds, 18);
  assert.equal(dueBy(plan.segments, 7), 5 * 500 + 2 * 5000);
  assert.ok(totalSeconds(plan.segments) > 5 + 18);
});

test('recoverySeconds: from the burst start to the last late acknowledgement', () => {
  const start = 10_000;
  const samples: Array<[number, number]> = [
    [9_000, 12_000], // before the burst: ignored
    [10_500, 11_000],
    [11_000, 15_000], // late
    [12_000, 19_000], // late: the last one
    [18_000, 18_200],
  ];
  assert.equal(recoverySeconds(samples, start, 1000), 9);
  assert.equal(recoverySeconds([[10_500, 10_600]], start, 1000), 0);
  assert.equal(lateThresholdMs(200), 500);
  assert.equal(lateThresholdMs(800), 1250);
  assert.equal(lateThresholdMs(Number.NaN), 250);
});
