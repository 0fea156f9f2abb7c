// Timers: stalls and churn-risk fire by time alone, at times computed from the state, however
// often (or late) time is advanced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS } from './account-state.ts';
import type { AccountState } from './account-state.ts';
import { advanceTime } from './advance-time.ts';
import type { JourneyEffect } from './journey-effects.ts';
import {
  at,
  b2b,
  b2bEveryDay,
  ev,
  midnight,
  ofKind,
  run,
  transitions,
} from '../../test/support/journey-test-events.ts';

/** Advances in `step`-sized ticks from `from` to `to`, collecting effects. */
function tick(state: AccountState, from: number, to: number, step: number) {
  let s = state;
  const effects: JourneyEffect[] = [];
  for (let now = from; now < to + step; now += step) {
    const r = advanceTime(s, Math.min(now, to), b2b);
    s = r.state;
    effects.push(...r.effects);
  }
  return { state: s, effects };
}

const engaged = () =>
  run([ev('Signed Up', 0), ev('Logged In', 0), ev('Logged In', 1), ev('Logged In', 2)], { until: at(2) })
    .state;

test('inactivity: at-risk at the midnight after 14 whole days without activity (every day counted)', () => {
  const state = engaged(); // engagement entered day 2, last active day 2
  assert.equal(advanceTime(state, midnight(17) - 1, b2bEveryDay).state.stage, 'engagement');
  const { state: risky, effects } = advanceTime(state, midnight(17), b2bEveryDay);
  assert.equal(risky.stage, 'churn-risk');
  assert.deepEqual(
    effects.map((e) => [e.kind, e.at]),
    [
      ['at_risk', midnight(17)],
      ['transition', midnight(17)],
    ],
  );
  assert.equal(ofKind(effects, 'at_risk')[0]!.signal, 'inactivity');
  assert.equal(ofKind(effects, 'at_risk')[0]!.stage, 'engagement');
});

test('the same effects, ids and times whether time advances hourly, daily or once', () => {
  const once = advanceTime(engaged(), at(60), b2b);
  const daily = tick(engaged(), at(2), at(60), DAY_MS);
  const hourly = tick(engaged(), at(2), at(60), 3_600_000);
  const ids = (effects: JourneyEffect[]) => effects.map((e) => e.id).sort();
  assert.deepEqual(ids(daily.effects), ids(once.effects));
  assert.deepEqual(ids(hourly.effects), ids(once.effects));
  assert.deepEqual(daily.state, once.state);
  assert.deepEqual(advanceTime(once.state, at(60), b2b).effects, [], 'idempotent');
});

test('leaving churn-risk takes activity on exit_active_days (2) separate days; back to the furthest stage', () => {
  const quiet = advanceTime(engaged(), at(20), b2b).state;
  assert.equal(quiet.stage, 'churn-risk');
  const oneDay = run([ev('Logged In', 21), ev('Logged In', 21.2)], { from: quiet, until: at(22) });
  assert.equal(oneDay.state.stage, 'churn-risk', 'one active day is not enough');
  const twoDays = run([ev('Logged In', 23)], { from: oneDay.state, until: at(24) });
  assert.equal(twoDays.state.stage, 'engagement');
  const back = ofKind(twoDays.effects, 'transition');
  assert.deepEqual(
    back.map((e) => [e.from_stage, e.to_stage, e.at, e.reason]),
    [['churn-risk', 'engagement', at(23), 'activity_resumed']],
  );
  assert.equal(twoDays.state.stageEntries.engagement, at(2), 'the first entry is kept');
  assert.equal(twoDays.state.lastRiskExitAt, at(23));
});

test('a stall fires once per stage entry, at entry + stall_days', () => {
  const { state } = run([ev('Signed Up', 0)]);
  const first = advanceTime(state, at(8), b2b);
  const stalls = ofKind(first.effects, 'stall');
  assert.deepEqual(
    stalls.map((e) => [e.stage, e.at, e.stalled_days]),
    [['activation', at(7), 7]],
  );
  assert.equal(first.state.stalledStage, 'activation');
  assert.deepEqual(advanceTime(first.state, at(9), b2b).effects, []);
});

test('a stall due before the account left the stage fires even when time jumps past both', () => {
  const events = [ev('Signed Up', 0), ev('Logged In', 9), ev('Logged In', 10), ev('Logged In', 11)];
  const { effects } = run(events, { until: at(12) });
  assert.deepEqual(
    effects
      .filter((e) => e.kind !== 'funnel_step')
      .map((e) => `${e.kind}:${e.kind === 'transition' ? e.to_stage : ''}`),
    ['transition:activation', 'stall:', 'activation:', 'transition:engagement'],
  );
});

test('accounts still in the first stage are never at risk', () => {
  const { state } = run([ev('Page Viewed', 0)]);
  const { effects } = advanceTime(state, at(200), b2b);
  assert.deepEqual(transitions(effects), []);
  assert.deepEqual(
    ofKind(effects, 'stall').map((e) => e.stage),
    ['acquisition'],
  );
});

test('usage drop: the 7-day active-day rate falls below 0.4x the 28-day rate (every day counted)', () => {
  const events = [ev('Signed Up', 0)];
  for (let d = 0; d < 28; d++) events.push(ev('Logged In', d));
  events.push(ev('Logged In', 29));
  const { state, effects } = run(events, { until: at(36), map: b2bEveryDay });
  // midnight of day 34: days 27..33 hold 2 active days (2/7 = 0.29) vs days 6..33 holding 23
  // (0.4 x 23/28 = 0.33); the day before, 3/7 = 0.43 vs 0.34 did not fire.
  assert.deepEqual(
    ofKind(effects, 'at_risk').map((e) => [e.signal, e.stage, e.at]),
    [['usage_drop', 'engagement', midnight(34)]],
  );
  assert.equal(state.stage, 'churn-risk');
  assert.equal(state.riskSignal, 'usage_drop');
});
