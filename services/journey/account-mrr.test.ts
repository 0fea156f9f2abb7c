// An account's MRR over several subscriptions (issue #16), against an independent computation:
// random accounts with overlapping subscriptions (adds, upgrades, downgrades, trials, partial and
// full cancellations, reactivations), their events delivered in a random order; at every month
// end the account's MRR must equal the sum, over its subscriptions, of each one's latest MRR at or
// before that instant, computed from the full event list. Churn and reactivation follow the sum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../workload/prng.ts';
import {
  MAX_POINTS,
  MAX_SUBSCRIPTIONS,
  accountMrrAt,
  accountMrrHistory,
  addSubscriptionPoint,
  churnsAccount,
  mergeSubscriptionMrr,
  reactivatesAccount,
} from './account-mrr.ts';
import type { SubscriptionMrr } from './account-mrr.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

interface Point {
  subscription: string;
  t: number;
  mrr: number;
}

/** One account: up to MAX_SUBSCRIPTIONS subscriptions, each with up to MAX_POINTS events. */
function account(rng: Rng): Point[] {
  const points: Point[] = [];
  const subscriptions = rng.int(1, MAX_SUBSCRIPTIONS);
  for (let s = 0; s < subscriptions; s++) {
    let t = T0 + rng.int(0, 300) * DAY;
    const trial = rng.int(0, 3) === 0;
    let mrr = trial ? 0 : rng.int(1, 50) * 1000;
    points.push({ subscription: `sub_${s}`, t, mrr });
    for (let i = 1; i < MAX_POINTS; i++) {
      t += rng.int(1, 60) * DAY;
      const move = rng.int(0, 9);
      // upgrade, downgrade, a trial converting, cancellation, a new start after cancelling
      mrr =
        move < 4
          ? mrr + rng.int(1, 20) * 500
          : move < 6
            ? Math.max(0, mrr - rng.int(1, 20) * 500)
            : move < 8
              ? rng.int(1, 40) * 1000
              : 0;
      points.push({ subscription: `sub_${s}`, t, mrr });
    }
  }
  return points;
}

/** The independent computation: each subscription's latest value at or before t, summed. */
function naiveMrrAt(points: readonly Point[], t: number): number {
  const latest = new Map<string, Point>();
  for (const p of points) {
    if (p.t > t) continue;
    const seen = latest.get(p.subscription);
    if (!seen || p.t > seen.t || (p.t === seen.t && p.mrr > seen.mrr)) latest.set(p.subscription, p);
  }
  return [...latest.values()].reduce((sum, p) => sum + p.mrr, 0);
}

const monthEnds = Array.from({ length: 30 }, (_, m) => Date.UTC(2024, m + 1, 1) - 1);

function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

test('account MRR at every month end equals the sum of each subscription, in any arrival order', () => {
  const rng = new Rng(16);
  for (let a = 0; a < 300; a++) {
    const points = account(rng);
    let subs: SubscriptionMrr = {};
    for (const p of shuffled(rng, points)) subs = addSubscriptionPoint(subs, p.subscription, p.t, p.mrr);
    for (const t of monthEnds)
      assert.equal(
        accountMrrAt(subs, t),
        naiveMrrAt(points, t),
        `account ${a} at ${new Date(t).toISOString()}`,
      );
    // Merging two halves of the same history (an identity merge) gives the same series.
    const half = Math.floor(points.length / 2);
    let left: SubscriptionMrr = {};
    let right: SubscriptionMrr = {};
    for (const p of points.slice(0, half)) left = addSubscriptionPoint(left, p.subscription, p.t, p.mrr);
    for (const p of points.slice(half)) right = addSubscriptionPoint(right, p.subscription, p.t, p.mrr);
    assert.deepEqual(mergeSubscriptionMrr(left, right), mergeSubscriptionMrr(right, left));
    for (const t of monthEnds)
      assert.equal(accountMrrAt(mergeSubscriptionMrr(left, right), t), naiveMrrAt(points, t));
  }
});

test('the naive baseline, the latest billing event of the account, is wrong as soon as two subscriptions overlap', () => {
  const rng = new Rng(17);
  let wrong = 0;
  let checked = 0;
  for (let a = 0; a < 300; a++) {
    const points = account(rng);
    for (const t of monthEnds) {
      const latest = points
        .filter((p) => p.t <= t)
        .sort((x, y) => x.t - y.t)
        .pop();
      checked++;
      if ((latest?.mrr ?? 0) !== naiveMrrAt(points, t)) wrong++;
    }
  }
  // Printed beside the model's 0 mismatches (above): the baseline the pipeline used before #16.
  console.log(
    `latest-event baseline: ${wrong} of ${checked} account-month-ends wrong; per-subscription sum: 0`,
  );
  assert.ok(wrong > checked / 4);
});

test('one subscription of two cancelled is a contraction; both cancelled is a churn; a trial does not reactivate, its conversion does', () => {
  let subs: SubscriptionMrr = {};
  subs = addSubscriptionPoint(subs, 'sub_a', 10 * DAY, 5000);
  subs = addSubscriptionPoint(subs, 'sub_b', 20 * DAY, 3000);
  subs = addSubscriptionPoint(subs, 'sub_a', 30 * DAY, 0); // sub_a cancelled
  assert.equal(accountMrrAt(subs, 30 * DAY), 3000);
  assert.equal(churnsAccount(subs, 30 * DAY), false);
  subs = addSubscriptionPoint(subs, 'sub_b', 40 * DAY, 0); // the last one cancelled
  assert.equal(churnsAccount(subs, 40 * DAY), true);
  subs = addSubscriptionPoint(subs, 'sub_c', 50 * DAY, 0); // a trial starts
  assert.equal(reactivatesAccount(subs, 50 * DAY), false);
  subs = addSubscriptionPoint(subs, 'sub_c', 64 * DAY, 9900); // the trial converts
  assert.equal(reactivatesAccount(subs, 64 * DAY), true);
  // A second subscription while one runs is no reactivation.
  subs = addSubscriptionPoint(subs, 'sub_d', 70 * DAY, 1000);
  assert.equal(reactivatesAccount(subs, 70 * DAY), false);
  assert.deepEqual(accountMrrHistory(subs, 3), [
    [50 * DAY, 0],
    [64 * DAY, 9900],
    [70 * DAY, 10900],
  ]);
});

test('a late event lands where it belongs: a cancellation that looked like a churn is not one', () => {
  let subs: SubscriptionMrr = {};
  subs = addSubscriptionPoint(subs, 'sub_a', 10 * DAY, 5000);
  subs = addSubscriptionPoint(subs, 'sub_a', 30 * DAY, 0);
  assert.equal(churnsAccount(subs, 30 * DAY), true);
  subs = addSubscriptionPoint(subs, 'sub_b', 25 * DAY, 2000); // arrives late
  assert.equal(churnsAccount(subs, 30 * DAY), false);
});

test('events without a subscription id keep the single-series behaviour until one names a subscription', () => {
  let subs: SubscriptionMrr = {};
  subs = addSubscriptionPoint(subs, '', 10 * DAY, 5000);
  subs = addSubscriptionPoint(subs, '', 20 * DAY, 7000);
  assert.equal(accountMrrAt(subs, 25 * DAY), 7000);
  subs = addSubscriptionPoint(subs, 'sub_a', 30 * DAY, 8000);
  assert.deepEqual(Object.keys(subs), ['sub_a']);
  assert.equal(
    addSubscriptionPoint(subs, '', 40 * DAY, 1),
    subs,
    'an unkeyed event after a keyed one is ignored',
  );
  // No MRR data at all: the journey map's rule alone decides.
  assert.equal(churnsAccount({}, 0), true);
  assert.equal(reactivatesAccount({}, 0), true);
});
