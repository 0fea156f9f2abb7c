// The alert state explains itself: hysteresis keeps a band through its gap, the cool-down keeps a
// score that swings across the whole gap from re-alerting, and escalation always speaks up.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { churnAlertIdFor, updateAlertState } from './churn-alert-state.ts';
import type { ChurnAlert, ChurnAlertState } from './churn-alert-state.ts';
import { DEFAULT_CHURN_CONFIG } from './churn-config.ts';
import type { ChurnScore } from './score-account.ts';

const C = DEFAULT_CHURN_CONFIG; // watch 40/30, at_risk 70/60, cool-down 72 h
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 5, 1);

const scoreOf = (score: number, at: number, account = 'acme'): ChurnScore => ({
  account,
  score,
  band: 'healthy', // ignored by the alert state: it applies hysteresis itself
  reasons: [
    { factor: 'usage_decline', contribution: 20, text: 'usage down 64% vs 4-week baseline (+20 pts)' },
  ],
  scoredAt: at,
  mrr: 100,
  mrrAtRisk: score,
});

/** Folds scores (one per hour unless times are given) and collects the alerts. */
function run(scores: readonly number[], times?: readonly number[], start: ChurnAlertState | null = null) {
  let state = start;
  const alerts: ChurnAlert[] = [];
  scores.forEach((score, i) => {
    const at = times?.[i] ?? T0 + i * HOUR;
    const update = updateAlertState(state, scoreOf(score, at), at, C);
    state = update.state;
    if (update.alert) alerts.push(update.alert);
  });
  return { state: state as ChurnAlertState, alerts };
}

describe('updateAlertState', () => {
  it('alerts once on entering at_risk, with the reasons and a deterministic id', () => {
    const { state, alerts } = run([10, 75]);
    assert.equal(alerts.length, 1);
    const alert = alerts[0]!;
    assert.deepEqual(
      { ...alert, reasons: alert.reasons.length },
      {
        alertId: churnAlertIdFor('acme', 'at_risk', T0 + HOUR),
        account: 'acme',
        score: 75,
        band: 'at_risk',
        previousBand: 'healthy',
        reasons: 1,
        mrr: 100,
        at: T0 + HOUR,
        firstWarningAt: T0 + HOUR,
      },
    );
    assert.match(alert.alertId, /^ca_[0-9a-f]{32}$/);
    assert.equal(run([10, 75]).alerts[0]!.alertId, alert.alertId, 'a replay gives the same id');
    assert.notEqual(churnAlertIdFor('acme', 'watch', T0 + HOUR), alert.alertId);
    assert.deepEqual(
      [state.band, state.bandSince, state.lastAlertAt.at_risk],
      ['at_risk', T0 + HOUR, T0 + HOUR],
    );
  });

  it('alerts watch, then at_risk on escalation even inside the watch cool-down', () => {
    const { alerts } = run([45, 50, 72]);
    assert.deepEqual(
      alerts.map((a) => [a.previousBand, a.band, a.firstWarningAt]),
      [
        ['healthy', 'watch', T0],
        ['watch', 'at_risk', T0],
      ],
    );
  });

  it('never alerts on improvement, and ends the risk episode only back in healthy', () => {
    const { state, alerts } = run([80, 50, 35]);
    assert.equal(alerts.length, 1);
    assert.deepEqual([state.band, state.firstWarningAt], ['watch', T0]);
    const healed = run([25], [T0 + 5 * HOUR], state);
    assert.deepEqual(
      [healed.state.band, healed.state.firstWarningAt, healed.alerts.length],
      ['healthy', null, 0],
    );
  });

  it('a swing across the whole gap re-alerts only after the cool-down', () => {
    const times = [0, 1, 2, 3, 4, 80, 81].map((h) => T0 + h * HOUR);
    const { alerts } = run([75, 55, 75, 55, 75, 55, 75], times);
    assert.deepEqual(
      alerts.map((a) => a.at),
      [T0, T0 + 81 * HOUR],
    );
  });

  it('ignores a score older than the last one folded', () => {
    const { state } = run([75]);
    const stale = updateAlertState(state, scoreOf(10, T0 - HOUR), T0 + HOUR, C);
    assert.equal(stale.state, state);
    assert.equal(stale.alert, null);
  });

  it('refuses a score of another account (a programmer error)', () => {
    const { state } = run([75]);
    assert.throws(() => updateAlertState(state, scoreOf(10, T0 + HOUR, 'globex'), T0 + HOUR, C), /globex/);
  });

  it('nothing flaps: a score oscillating inside the hysteresis gap never re-fires', () => {
    const gaps = [
      { enterAt: 75, band: 'at_risk', min: C.bands.atRisk.exit, max: 100 },
      { enterAt: 45, band: 'watch', min: C.bands.watch.exit, max: C.bands.atRisk.enter - 1e-9 },
    ] as const;
    for (const gap of gaps) {
      fc.assert(
        fc.property(
          fc.array(fc.double({ min: gap.min, max: gap.max, noNaN: true }), { minLength: 1, maxLength: 60 }),
          fc.array(fc.integer({ min: 0, max: 200 * HOUR }), { minLength: 60, maxLength: 60 }),
          (scores, gapsMs) => {
            let t = T0;
            const times = [t, ...scores.map((_, i) => (t += gapsMs[i]!))];
            const { state, alerts } = run([gap.enterAt, ...scores], times);
            assert.equal(alerts.length, 1);
            assert.equal(state.band, gap.band);
          },
        ),
      );
    }
  });

  it('whatever the scores, a band never alerts twice within its cool-down', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 100, noNaN: true }), fc.integer({ min: 0, max: 24 * HOUR })),
          {
            maxLength: 80,
          },
        ),
        (steps) => {
          let t = T0;
          const times = steps.map(([, gap]) => (t += gap));
          const { alerts } = run(
            steps.map(([s]) => s),
            times,
          );
          for (const band of ['watch', 'at_risk']) {
            const at = alerts.filter((a) => a.band === band).map((a) => a.at);
            for (let i = 1; i < at.length; i++) assert.ok(at[i]! - at[i - 1]! >= C.alerts.cooldownMs);
          }
        },
      ),
    );
  });
});
