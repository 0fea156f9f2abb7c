import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHURN_BASELINE_NAMES, CHURN_BASELINES } from '../churn/churn-baselines.ts';
import { DEFAULT_CHURN_CONFIG } from '../churn/churn-config.ts';
import { FIXTURE_AS_OF as T, healthySignals } from '../churn/churn-signals-fixture.ts';
import type { ChurnSignals } from '../churn/churn-signals.ts';
import { Rng } from '../workload/prng.ts';
import { bestBaseline, compareWithBaselines, formatBaselineTable } from './churn-baseline-report.ts';

const RISKY: Partial<ChurnSignals> = {
  usageTrendRatio: 0.2,
  activeUsersTrend: 0.3,
  daysSinceLastActivity: 20,
  activeSeats: 2,
  tickets30d: 6,
  urgentTickets30d: 2,
  latestNps: 2,
  failedPayments30d: 2,
  failedPayments60d: 2,
  championDaysInactive: 25,
};

test('every baseline ranks a risky account above a healthy one', () => {
  for (const name of CHURN_BASELINE_NAMES)
    assert.ok(
      CHURN_BASELINES[name](healthySignals(RISKY), T) > CHURN_BASELINES[name](healthySignals(), T),
      name,
    );
});

test('side by side on the same held-out accounts: the planted signal wins its baseline, the rest are coin tosses', () => {
  const rng = new Rng(3);
  const samples = Array.from({ length: 400 }, (_, i) => {
    const churned = rng.chance(0.25);
    const tickets = churned ? rng.int(2, 9) : rng.int(0, 3);
    return {
      signals: healthySignals({ account: `a${i}`, tickets30d: tickets, latestNps: rng.int(0, 10) }),
      churned,
    };
  });
  const c = compareWithBaselines(samples, DEFAULT_CHURN_CONFIG, 5);
  assert.equal(c.accounts, 400);
  assert.ok(c.auc.tickets > 0.85, `tickets ${c.auc.tickets}`);
  assert.ok(Math.abs(c.auc.payment_failures - 0.5) < 1e-9, 'a constant signal ranks nothing');
  assert.ok(Math.abs(c.auc.nps - 0.5) < 0.1, `nps is noise: ${c.auc.nps}`);
  assert.ok(c.auc.fitted > 0.85, `fitted ${c.auc.fitted}`);
  assert.equal(bestBaseline(c).name, 'tickets');
  const table = formatBaselineTable([{ name: 'planted-tickets', comparison: c }]);
  assert.match(table, /^\| workload \| accounts \| churn samples \| fitted \| configured \| usage_trend/);
  assert.match(table, /\| planted-tickets \| 400 \| \d+\/400 \| /);
});
