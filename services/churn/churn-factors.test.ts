import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CHURN_FACTORS, churnFeatures, describeFactor } from './churn-factors.ts';
import { churnSignalProblems } from './churn-signals.ts';
import { arbitrarySignals, FIXTURE_AS_OF as T, healthySignals } from './churn-signals-fixture.ts';

const DAY = 86_400_000;

describe('churn factors', () => {
  it('a steady, fully used, happy account shows no factor', () => {
    const features = churnFeatures(healthySignals(), T);
    for (const factor of CHURN_FACTORS) assert.equal(features[factor], 0, factor);
  });

  it('apply the documented transforms', () => {
    const f = churnFeatures(
      healthySignals({
        usageTrendRatio: 0.36,
        activeUsersTrend: 0.25,
        daysSinceLastActivity: 12,
        activeSeats: 5,
        paidSeats: 20,
        tickets30d: 4,
        urgentTickets30d: 1,
        latestNps: 3,
        latestCsat: 2,
        failedPayments30d: 1,
        failedPayments60d: 2,
        contractions90d: 1,
        mrrDropPct: 30,
        championDaysInactive: 45,
      }),
      T,
    );
    assert.ok(Math.abs(f.usage_decline - 0.64) < 1e-12);
    assert.equal(f.people_decline, 0.75);
    assert.equal(f.inactivity, 12 / 30);
    assert.equal(f.seat_underuse, 0.75);
    assert.equal(f.ticket_volume, 0.4);
    assert.equal(f.urgent_tickets, 1 / 3);
    assert.equal(f.nps_detractor, 6 / 9);
    assert.equal(f.csat_dissatisfaction, 0.75);
    assert.equal(f.payment_failures, 0.75); // (1 + 0.5 * 1) / 2
    assert.equal(f.downgrades, 0.5);
    assert.equal(f.mrr_contraction, 0.6);
    assert.equal(f.champion_inactive, 1); // saturates at 30 days
  });

  it('missing answers and baselines read as no evidence; a never-active account as fully inactive', () => {
    const f = churnFeatures(
      healthySignals({
        usageTrendRatio: null,
        latestNps: null,
        latestCsat: null,
        championDaysInactive: null,
        daysSinceLastActivity: null,
        paidSeats: 0,
        activeSeats: 0,
      }),
      T,
    );
    assert.deepEqual(
      [f.usage_decline, f.nps_detractor, f.csat_dissatisfaction, f.champion_inactive, f.seat_underuse],
      [0, 0, 0, 0, 0],
    );
    assert.equal(f.inactivity, 1);
  });

  it('inactivity keeps growing on re-scores without new events', () => {
    const s = healthySignals({ daysSinceLastActivity: 3, championDaysInactive: 3 });
    assert.equal(churnFeatures(s, T).inactivity, 0.1);
    assert.equal(churnFeatures(s, T + 12 * DAY).inactivity, 0.5);
    assert.equal(churnFeatures(s, T + 12 * DAY).champion_inactive, 0.5);
    assert.equal(churnFeatures(s, T - 5 * DAY).inactivity, 0.1, 'a clock behind asOf does not rejuvenate');
    assert.equal(describeFactor('inactivity', s, T + 12 * DAY), 'no activity for 15 days');
  });

  it('every feature of every valid signal set is in [0, 1]', () => {
    fc.assert(
      fc.property(arbitrarySignals(), fc.nat(400), (signals, days) => {
        assert.deepEqual(churnSignalProblems(signals), []);
        const f = churnFeatures(signals, T + days * DAY);
        for (const factor of CHURN_FACTORS)
          assert.ok(f[factor] >= 0 && f[factor] <= 1, `${factor}=${f[factor]}`);
      }),
    );
  });

  it('describe what they saw in words and numbers', () => {
    const s = healthySignals({
      usageTrendRatio: 0.36,
      activeSeats: 12,
      paidSeats: 50,
      failedPayments60d: 1,
      tickets30d: 1,
    });
    assert.equal(describeFactor('usage_decline', s, T), 'usage down 64% vs 4-week baseline');
    assert.equal(describeFactor('seat_underuse', s, T), '12 of 50 paid seats active (24%)');
    assert.equal(describeFactor('payment_failures', s, T), '1 failed payment in 60 days');
    assert.equal(describeFactor('ticket_volume', s, T), '1 support ticket in 30 days');
    assert.equal(describeFactor('nps_detractor', healthySignals({ latestNps: null }), T), 'no NPS answer');
  });
});

describe('churnSignalProblems', () => {
  it('names every malformed field', () => {
    const problems = churnSignalProblems(
      healthySignals({ account: '', mrr: Number.NaN, latestNps: 11, tickets30d: 1, urgentTickets30d: 2 }),
    );
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.match(problems.join('\n'), /account.*mrr.*latestNps.*urgentTickets30d/s);
  });
});
