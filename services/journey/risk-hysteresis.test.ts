// The churn-risk hysteresis and quiet days of the shipped map (risk-signals.ts, risk-calendar.ts):
// counted days skip weekends and the year-end holiday; a usage drop must last enter_days counted
// midnights to enter and is left only when usage is back above exit_ratio of its old baseline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dayOf, weekdayOf } from './account-state.ts';
import type { JourneyMap } from './journey-map.ts';
import { isCounted, nthCountedDayAfter } from './risk-calendar.ts';
import { at, b2b, ev, ofKind, run } from '../../test/support/journey-test-events.ts';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';

const calendar = b2b.churn_risk.quiet_days;
const day = (iso: string): number => dayOf(Date.parse(`${iso}T00:00:00Z`));

test('counted days: weekdays outside the year-end holiday; a period may wrap the year', () => {
  assert.ok(isCounted(day('2026-03-06'), calendar), 'a Friday');
  assert.ok(!isCounted(day('2026-03-07'), calendar), 'a Saturday');
  assert.ok(!isCounted(day('2025-12-29'), calendar), 'a Monday in the holiday');
  assert.ok(!isCounted(day('2026-01-02'), calendar), 'a Friday in the holiday, after the year end');
  assert.ok(isCounted(day('2026-01-05'), calendar));
  // Ten working days after Friday 2026-02-13: 16-20 and 23-27 February.
  assert.equal(nthCountedDayAfter(day('2026-02-13'), 10, calendar), day('2026-02-27'));
});

/** Logged in on every weekday from day `from` to `to` (days after T0, a Monday). */
function weekdays(from: number, to: number, every = 1): JourneyEvent[] {
  const out: JourneyEvent[] = [];
  for (let d = from; d < to; d++) {
    if (weekdayOf(dayOf(at(d))) >= 5) continue;
    if ((d - from) % every === 0) out.push(ev('Logged In', d + 0.4));
  }
  return out;
}

const withRule = (changes: Partial<NonNullable<JourneyMap['churn_risk']['usage_drop']>>): JourneyMap => ({
  ...b2b,
  churn_risk: { ...b2b.churn_risk, usage_drop: { ...b2b.churn_risk.usage_drop!, ...changes } },
});

test('a usage drop enters only after enter_days consecutive counted midnights below the ratio', () => {
  // Daily use for 10 weeks, then once a week.
  const events = [ev('Signed Up', 0), ...weekdays(0, 70), ...weekdays(70, 120, 7)];
  const drop = (map: JourneyMap) =>
    ofKind(run(events, { map, until: at(120) }).effects, 'at_risk').find((e) => e.signal === 'usage_drop')!
      .at;
  const hasty = drop(withRule({ enter_days: 1 }));
  const shipped = drop(b2b);
  assert.equal(
    dayOf(shipped),
    nthCountedDayAfter(dayOf(hasty) - 1, b2b.churn_risk.usage_drop!.enter_days - 1, calendar) + 1,
    'four counted days later than with enter_days 1',
  );
});

test('a drop is left when usage is back above exit_ratio of the old baseline for exit_days, not on one login', () => {
  const before = [ev('Signed Up', 0), ...weekdays(0, 70), ...weekdays(70, 91, 7)];
  const dropped = run(before, { until: at(91) });
  assert.equal(dropped.state.stage, 'churn-risk');
  assert.equal(dropped.state.riskSignal, 'usage_drop');
  // Two logins on two days would have been enough before (exit_active_days): not any more.
  const blip = run([ev('Logged In', 91.4), ev('Logged In', 92.4)], { from: dropped.state, until: at(95) });
  assert.equal(blip.state.stage, 'churn-risk', 'two logins are not recovered usage');
  // Daily use again: back once the recent rate holds above 70 % of the old one, 3 midnights running.
  const back = run(weekdays(91, 120), { from: dropped.state, until: at(120) });
  const exit = back.effects.find((e) => e.kind === 'transition' && e.from_stage === 'churn-risk');
  assert.ok(exit && exit.kind === 'transition', 'left churn-risk');
  assert.equal(exit.reason, 'usage_recovered');
  assert.equal(back.state.stage, 'engagement');
});

test('the year-end holiday and weekends are not inactivity', () => {
  // Weekday use until Friday 19 December, nothing over the holiday, back on Monday 5 January.
  const start = day('2025-11-03') - dayOf(at(0));
  const events = [
    ev('Signed Up', start),
    ...weekdays(start, day('2025-12-20') - dayOf(at(0))),
    ...weekdays(0, 14),
  ];
  const { effects } = run(events, { until: at(14) });
  assert.deepEqual(ofKind(effects, 'at_risk'), [], 'two quiet weeks of holiday plus weekends: no risk');
  const everyDay: JourneyMap = {
    ...b2b,
    churn_risk: { ...b2b.churn_risk, quiet_days: { weekends: false, periods: [] } },
  };
  assert.ok(
    ofKind(run(events, { map: everyDay, until: at(14) }).effects, 'at_risk').length > 0,
    'without quiet days: at risk',
  );
});

test('from_stage: a sign-up that never took off stalls in activation, an engaged account goes at risk', () => {
  const signedUp = run([ev('Signed Up', 0), ev('Logged In', 0)], { until: at(40) });
  assert.equal(signedUp.state.stage, 'activation');
  assert.deepEqual(ofKind(signedUp.effects, 'at_risk'), []);
  assert.deepEqual(
    ofKind(signedUp.effects, 'stall').map((e) => e.stage),
    ['activation'],
  );
  const engaged = run([ev('Signed Up', 0), ...weekdays(0, 10)], { until: at(40) });
  assert.equal(ofKind(engaged.effects, 'at_risk')[0]?.stage, 'engagement');
});
