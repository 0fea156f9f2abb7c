// fitWeights recovers a known model: labels are drawn from a logistic model with chosen weights,
// and the fit must find their signs and order, score about as well as the truth on held-out
// accounts, and beat uniform weights.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChurnModel } from './churn-config.ts';
import { CHURN_FACTORS, churnFeatures } from './churn-factors.ts';
import type { ChurnFactor } from './churn-factors.ts';
import { healthySignals } from './churn-signals-fixture.ts';
import { evaluate } from './evaluate-churn-model.ts';
import { fitWeights } from './fit-weights.ts';
import type { ChurnSample } from './fit-weights.ts';
import { churnLogit, sigmoid } from './score-account.ts';
import { trainTestSplit } from './train-test-split.ts';

/** mulberry32: a tiny seeded PRNG so the synthetic data is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const zeroWeights = (): Record<ChurnFactor, number> =>
  Object.fromEntries(CHURN_FACTORS.map((f) => [f, 0])) as Record<ChurnFactor, number>;

const TRUE_MODEL: ChurnModel = {
  bias: -6, // about a quarter of the synthetic accounts churn
  weights: { ...zeroWeights(), usage_decline: 4, payment_failures: 3, inactivity: 2, seat_underuse: 1 },
};

function synthetic(n: number, seed: number): ChurnSample[] {
  const u = prng(seed);
  return Array.from({ length: n }, (_, i) => {
    const tickets = Math.floor(11 * u());
    const failed30 = Math.floor(3 * u());
    const signals = healthySignals({
      account: `acct-${i}`,
      usageTrendRatio: u(),
      daysSinceLastActivity: 30 * u(),
      activeSeats: Math.floor(21 * u()),
      paidSeats: 20,
      tickets30d: tickets,
      urgentTickets30d: Math.min(tickets, Math.floor(4 * u())),
      latestNps: Math.floor(11 * u()),
      latestCsat: 1 + Math.floor(5 * u()),
      failedPayments30d: failed30,
      failedPayments60d: failed30 + Math.floor(2 * u()),
      contractions90d: Math.floor(3 * u()),
      mrrDropPct: 50 * u(),
      championDaysInactive: 30 * u(),
    });
    const p = sigmoid(churnLogit(churnFeatures(signals, signals.asOf), TRUE_MODEL));
    return { signals, churned: u() < p };
  });
}

describe('fitWeights', () => {
  const samples = synthetic(8000, 7);
  const { train, test } = trainTestSplit(samples, 'fit-test', 0.3);
  const fit = fitWeights(train);

  it('converges, and recovers the sign and order of the true weights', () => {
    assert.ok(fit.converged, `after ${fit.iterations} iterations`);
    const w = fit.model.weights;
    assert.ok(w.usage_decline > w.payment_failures, JSON.stringify(w));
    assert.ok(w.payment_failures > w.inactivity, JSON.stringify(w));
    assert.ok(w.inactivity > w.seat_underuse, JSON.stringify(w));
    assert.ok(w.seat_underuse > 0, JSON.stringify(w));
    for (const f of CHURN_FACTORS.filter((f) => TRUE_MODEL.weights[f] === 0))
      assert.ok(Math.abs(w[f]) < 0.6, `${f}=${w[f]} should be near 0`);
    assert.ok(Math.abs(fit.model.bias - TRUE_MODEL.bias) < 1.5, `bias ${fit.model.bias}`);
  });

  it('separates held-out accounts as well as the true model, and better than uniform weights', () => {
    const fitted = evaluate(test, { model: fit.model }).auc as number;
    const truth = evaluate(test, { model: TRUE_MODEL }).auc as number;
    const uniform: ChurnModel = {
      bias: 0,
      weights: Object.fromEntries(CHURN_FACTORS.map((f) => [f, 1])) as Record<ChurnFactor, number>,
    };
    const flat = evaluate(test, { model: uniform }).auc as number;
    assert.ok(Math.abs(fitted - truth) < 0.01, `fitted ${fitted} vs true ${truth}`);
    assert.ok(fitted > flat + 0.05, `fitted ${fitted} vs uniform ${flat}`);
  });

  it('is calibrated on held-out accounts: predicted and observed churn rates agree by decile', () => {
    const table = evaluate(test, { model: fit.model }).calibration;
    const n = table.reduce((acc, b) => acc + b.count, 0);
    const expectedCalibrationError =
      table.reduce((acc, b) => acc + b.count * Math.abs(b.meanPredicted - b.observedRate), 0) / n;
    assert.ok(expectedCalibrationError < 0.03, JSON.stringify(table));
  });

  it('is deterministic', () => {
    assert.deepEqual(fitWeights(train), fit);
  });

  it('gives constant features weight 0 and stays finite on perfectly separated data', () => {
    const separated = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9].map((ratio, i) => ({
      signals: healthySignals({ account: `s${i}`, usageTrendRatio: ratio }),
      churned: ratio < 0.5,
    }));
    const result = fitWeights(separated, { l2: 0.1 });
    assert.ok(result.converged);
    assert.ok(result.model.weights.usage_decline > 0 && Number.isFinite(result.model.weights.usage_decline));
    assert.equal(result.model.weights.inactivity, 0);
    assert.equal(result.standardisedWeights.payment_failures, 0);
    assert.equal(evaluate(separated, { model: result.model }).auc, 1);
  });

  it('refuses samples without both classes', () => {
    assert.throws(() => fitWeights([{ signals: healthySignals(), churned: true }]), RangeError);
  });
});
