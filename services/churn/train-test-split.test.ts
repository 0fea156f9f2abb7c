import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { healthySignals } from './churn-signals-fixture.ts';
import { splitPosition, trainTestSplit } from './train-test-split.ts';

const DAY = 86_400_000;
const samples = Array.from({ length: 2000 }, (_, i) => ({
  signals: healthySignals({
    account: `acct-${i % 1000}`,
    asOf: Date.UTC(2025, 0, 1) + (i < 1000 ? 0 : 30 * DAY),
  }),
  churned: i % 7 === 0,
}));

describe('trainTestSplit', () => {
  it('is deterministic, order independent, and keeps every snapshot of an account on one side', () => {
    const a = trainTestSplit(samples, 'seed-1', 0.25);
    const b = trainTestSplit([...samples].reverse(), 'seed-1', 0.25);
    const accounts = (xs: typeof samples) => new Set(xs.map((s) => s.signals.account));
    assert.deepEqual(accounts(a.test), accounts(b.test));
    assert.equal(a.train.length + a.test.length, samples.length);
    for (const s of a.test) assert.ok(!accounts(a.train).has(s.signals.account));
    assert.equal(a.test.length % 2, 0, 'both snapshots of each test account');
  });

  it('sends about the requested fraction of accounts to test, differently per seed', () => {
    const a = trainTestSplit(samples, 'seed-1', 0.25);
    const c = trainTestSplit(samples, 'seed-2', 0.25);
    assert.ok(Math.abs(a.test.length / samples.length - 0.25) < 0.04, `${a.test.length}`);
    assert.notDeepEqual(a.test, c.test);
    assert.equal(trainTestSplit(samples, 's', 0).test.length, 0);
    assert.equal(trainTestSplit(samples, 's', 1).train.length, 0);
    assert.throws(() => trainTestSplit(samples, 's', 1.5), RangeError);
  });

  it('derives positions from the seed and account only (golden value: splits stay put across releases)', () => {
    assert.equal(splitPosition('seed-1', 'acct-1'), 0.7337511058431119);
  });
});
