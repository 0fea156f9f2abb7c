import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PricedItem } from './compute-mrr.ts';
import { classifyMrrChange, itemMonthlyAmount, primaryItem, subscriptionMrr } from './compute-mrr.ts';
import { PayloadError } from './payload-error.ts';

const item = (p: Partial<PricedItem>): PricedItem => ({
  planKey: 'p',
  quantity: 1,
  unitAmount: 1200,
  interval: 'month',
  intervalCount: 1,
  metered: false,
  currency: 'usd',
  ...p,
});

describe('MRR', () => {
  const cases: Array<[string, Partial<PricedItem>, number]> = [
    ['monthly x seats', { unitAmount: 2500, quantity: 40 }, 100000],
    ['yearly / 12', { unitAmount: 120000, interval: 'year' }, 10000],
    ['quarterly (3 months)', { unitAmount: 30000, intervalCount: 3 }, 10000],
    ['weekly x 52 / 12', { unitAmount: 1200, interval: 'week' }, 5200],
    ['metered counts 0', { metered: true }, 0],
    ['tiered (no unit amount) counts 0', { unitAmount: undefined }, 0],
    ['quantity missing means 1', { quantity: undefined }, 1200],
  ];
  for (const [label, p, expected] of cases)
    it(label, () => assert.equal(itemMonthlyAmount(item(p)), expected));

  it('sums items, rounds once, and names the biggest item primary', () => {
    const items = [
      item({ planKey: 'addon', unitAmount: 333, interval: 'year' }),
      item({ planKey: 'base', unitAmount: 5000 }),
    ];
    assert.equal(subscriptionMrr(items), Math.round(333 / 12 + 5000));
    assert.equal(primaryItem(items)?.planKey, 'base');
  });
});

describe('classifyMrrChange', () => {
  const cases: Array<[number, string | undefined, number, string | null]> = [
    [0, undefined, 5000, 'new'],
    [0, 'trialing', 5000, 'new'],
    [0, 'canceled', 5000, 'reactivation'],
    [0, 'paused', 5000, 'reactivation'],
    [5000, 'active', 8000, 'expansion'],
    [5000, 'active', 3000, 'contraction'],
    [5000, 'active', 0, 'churn'],
    [5000, 'active', 5000, null],
  ];
  for (const [before, status, after, kind] of cases) {
    it(`${before} (${status}) -> ${after}: ${kind}`, () => {
      assert.deepEqual(classifyMrrChange(before, status, after), { mrr: after, delta: after - before, kind });
    });
  }
});

describe('intervals named like Object.prototype members (#14)', () => {
  it('are unknown intervals (invalid_field), not Object as the periods per year (NaN MRR)', () => {
    for (const interval of ['constructor', '__proto__', 'toString']) {
      assert.throws(
        () => itemMonthlyAmount(item({ interval })),
        (e: unknown) => e instanceof PayloadError && e.reason === 'invalid_field',
        interval,
      );
    }
  });
});
