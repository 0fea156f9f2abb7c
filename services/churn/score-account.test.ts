import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_CHURN_CONFIG } from './churn-config.ts';
import type { ChurnConfig } from './churn-config.ts';
import { CHURN_FACTORS, churnFeatures } from './churn-factors.ts';
import { arbitrarySignals, FIXTURE_AS_OF as T, healthySignals } from './churn-signals-fixture.ts';
import { churnLogit, factorContributions, scoreAccount, sigmoid } from './score-account.ts';

const C = DEFAULT_CHURN_CONFIG;

const arbitraryModel = fc.record({
  bias: fc.double({ min: -8, max: 8, noNaN: true }),
  weights: fc.record(
    Object.fromEntries(CHURN_FACTORS.map((f) => [f, fc.double({ min: -6, max: 6, noNaN: true })])) as Record<
      (typeof CHURN_FACTORS)[number],
      fc.Arbitrary<number>
    >,
  ),
});

describe('scoreAccount', () => {
  it('is 100 * sigmoid(bias) for an account with no churn factor', () => {
    const scored = scoreAccount(healthySignals(), C, T);
    assert.equal(scored.score, Math.round(1000 * sigmoid(C.model.bias)) / 10);
    assert.equal(scored.band, 'healthy');
    assert.deepEqual(scored.reasons, []);
    assert.equal(scored.scoredAt, T);
  });

  it('explains an at-risk account by its top factors, in words and points', () => {
    const scored = scoreAccount(
      healthySignals({
        account: 'globex',
        mrr: 2500,
        usageTrendRatio: 0.36,
        daysSinceLastActivity: 12,
        activeSeats: 8,
        tickets30d: 4,
        urgentTickets30d: 2,
        latestNps: 3,
        championDaysInactive: 21,
      }),
      C,
      T,
    );
    // logit = -4 + 3*.64 + 2.5*.4 + 1*.6 + 1.5*.4 + 2.5*(2/3) + 1.5*(6/9) + 1.5*.7 = 3.84
    assert.equal(scored.score, 97.9);
    assert.equal(scored.band, 'at_risk');
    assert.equal(scored.mrrAtRisk, 2447.5);
    assert.deepEqual(
      scored.reasons.map((r) => r.text),
      [
        'usage down 64% vs 4-week baseline (+24 pts)',
        '2 high/urgent tickets in 30 days (+20 pts)',
        'champion inactive for 21 days (+13 pts)',
      ],
    );
    assert.deepEqual(
      scored.reasons.map((r) => [r.factor, r.contribution]),
      [
        ['usage_decline', 23.5],
        ['urgent_tickets', 20.4],
        ['champion_inactive', 12.9],
      ],
    );
  });

  it('lists at most reasons.max reasons, each worth at least reasons.minPoints', () => {
    const config: ChurnConfig = { ...C, reasons: { max: 5, minPoints: 5 } };
    const scored = scoreAccount(
      healthySignals({ usageTrendRatio: 0.5, daysSinceLastActivity: 6, activeSeats: 10 }),
      config,
      T,
    );
    // usage +9.9; inactivity and seats +3.3 each (below 5 points)
    assert.deepEqual(
      scored.reasons.map((r) => r.factor),
      ['usage_decline'],
    );
  });

  it('contributions add up to score minus the all-healthy baseline, for any model and signals', () => {
    fc.assert(
      fc.property(arbitrarySignals(), arbitraryModel, (signals, model) => {
        const features = churnFeatures(signals, T);
        const parts = factorContributions(features, model);
        const total = CHURN_FACTORS.reduce((acc, f) => acc + parts[f], 0);
        const expected = 100 * (sigmoid(churnLogit(features, model)) - sigmoid(model.bias));
        assert.ok(Math.abs(total - expected) < 1e-6, `${total} vs ${expected}`);
        for (const f of CHURN_FACTORS)
          assert.ok(Math.sign(parts[f]) * Math.sign(model.weights[f] * features[f]) >= 0);
      }),
    );
  });

  it('never lowers the score when a positively weighted factor gets worse', () => {
    fc.assert(
      fc.property(arbitrarySignals(), fc.double({ min: 0, max: 1, noNaN: true }), (signals, drop) => {
        const worse = { ...signals, usageTrendRatio: (signals.usageTrendRatio ?? 1) * drop };
        const before = scoreAccount(
          { ...signals, usageTrendRatio: signals.usageTrendRatio ?? 1 },
          C,
          T,
        ).score;
        assert.ok(scoreAccount(worse, C, T).score >= before);
      }),
    );
  });

  it('stays within 0..100 and is a pure function of its inputs', () => {
    fc.assert(
      fc.property(arbitrarySignals(), arbitraryModel, (signals, model) => {
        const config = { ...C, model };
        const a = scoreAccount(signals, config, T);
        assert.ok(a.score >= 0 && a.score <= 100);
        assert.deepEqual(scoreAccount(signals, config, T), a);
      }),
    );
  });
});
