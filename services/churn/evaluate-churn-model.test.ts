import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { calibrationTable, evaluate, rocAuc, topKResults } from './evaluate-churn-model.ts';
import { DEFAULT_CHURN_CONFIG } from './churn-config.ts';
import { healthySignals } from './churn-signals-fixture.ts';

const scoredOf = (rows: [string, number, boolean][]) =>
  rows.map(([account, probability, churned]) => ({ account, probability, churned }));

describe('rocAuc', () => {
  it('is 1 for perfectly separated scores, 0 for reversed ones, 0.5 for all ties', () => {
    const labels = [false, false, false, true, true];
    assert.equal(rocAuc([0.1, 0.2, 0.3, 0.8, 0.9], labels), 1);
    assert.equal(rocAuc([0.9, 0.8, 0.7, 0.2, 0.1], labels), 0);
    assert.equal(rocAuc([0.5, 0.5, 0.5, 0.5, 0.5], labels), 0.5);
  });

  it('counts a tie between a churned and a retained account as half (hand computed)', () => {
    // churned 0.8, 0.5; retained 0.5, 0.2, 0.1: pairs won 3 + (0.5 + 1 + 1) = 5.5 of 6
    assert.equal(rocAuc([0.8, 0.5, 0.5, 0.2, 0.1], [true, true, false, false, false]), 5.5 / 6);
  });

  it('is null unless both classes are present', () => {
    assert.equal(rocAuc([0.1, 0.2], [true, true]), null);
    assert.equal(rocAuc([], []), null);
  });

  it('equals the pairwise definition on any scores', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean()), { maxLength: 40 }),
        (rows) => {
          const pos = rows.filter(([, p]) => p).map(([s]) => s);
          const neg = rows.filter(([, p]) => !p).map(([s]) => s);
          let wins = 0;
          for (const a of pos) for (const b of neg) wins += a > b ? 1 : a === b ? 0.5 : 0;
          const expected = pos.length && neg.length ? wins / (pos.length * neg.length) : null;
          const auc = rocAuc(
            rows.map(([s]) => s),
            rows.map(([, p]) => p),
          );
          if (expected === null) assert.equal(auc, null);
          else assert.ok(Math.abs((auc as number) - expected) < 1e-12);
        },
      ),
    );
  });
});

describe('topKResults', () => {
  it('precision and recall among the k highest scores, ties broken by account key', () => {
    const scored = scoredOf([
      ['a', 0.9, true],
      ['b', 0.7, false],
      ['c', 0.7, true], // ties with b; b sorts first
      ['d', 0.4, true],
      ['e', 0.1, false],
    ]);
    assert.deepEqual(topKResults(scored, [1, 2, 3, 10]), [
      { k: 1, precision: 1, recall: 1 / 3, minScore: 90 },
      { k: 2, precision: 0.5, recall: 1 / 3, minScore: 70 },
      { k: 3, precision: 2 / 3, recall: 2 / 3, minScore: 70 },
      { k: 5, precision: 0.6, recall: 1, minScore: 10 },
    ]);
  });
});

describe('calibrationTable', () => {
  it('ten equal buckets, lowest predicted first, mean predicted vs observed rate', () => {
    const scored = Array.from({ length: 20 }, (_, i) => ({
      account: `a${String(i).padStart(2, '0')}`,
      probability: i / 20,
      churned: i >= 16 || i === 3,
    }));
    const table = calibrationTable(scored);
    assert.equal(table.length, 10);
    assert.deepEqual(table[0], { decile: 1, count: 2, meanPredicted: 0.025, observedRate: 0 });
    assert.deepEqual(table[1], { decile: 2, count: 2, meanPredicted: 0.125, observedRate: 0.5 });
    assert.deepEqual(table[9], { decile: 10, count: 2, meanPredicted: 0.925, observedRate: 1 });
  });

  it('fewer buckets than deciles when there are fewer than ten samples', () => {
    assert.equal(
      calibrationTable(
        scoredOf([
          ['a', 0.2, false],
          ['b', 0.6, true],
          ['c', 0.9, true],
        ]),
      ).length,
      3,
    );
  });
});

describe('evaluate', () => {
  it('scores each sample at its own snapshot time with the given model', () => {
    const samples = [
      { signals: healthySignals({ account: 'a' }), churned: false },
      { signals: healthySignals({ account: 'b', usageTrendRatio: 0.2 }), churned: true },
      { signals: healthySignals({ account: 'c', daysSinceLastActivity: 20 }), churned: false },
      { signals: healthySignals({ account: 'd', usageTrendRatio: 0, activeSeats: 2 }), churned: true },
    ];
    const report = evaluate(samples, DEFAULT_CHURN_CONFIG, [2]);
    assert.deepEqual([report.samples, report.churned, report.auc], [4, 2, 1]);
    assert.deepEqual([report.topK[0]!.precision, report.topK[0]!.recall], [1, 1]);
  });
});
