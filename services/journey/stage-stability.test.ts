// Stable stages (#15 item 4): over a quarter with weekends and a two-week New Year holiday, steady
// accounts — each at its own usage level, wobbling day to day — enter churn-risk less than once
// per ten accounts, while accounts whose usage really decays, or stops, still do. Side by side:
// the same accounts under the map's rules without the hysteresis and quiet days (one midnight
// below the ratio enters, any activity leaves, every day counts), which flapped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { JourneyMap } from './journey-map.ts';
import { b2b, b2bEveryDay, ev, run } from '../../test/support/journey-test-events.ts';
import { weekdayOf } from './account-state.ts';
import { DAY_MS } from './account-state.ts';
import { T0 } from '../../test/support/journey-test-events.ts';
import { Rng } from '../workload/prng.ts';

const FIRST_DAY = -56; // 2025-11-10, a Monday: four weeks of baseline before the quarter
const QUARTER = { from: -28, to: 63 }; // 2025-12-08 .. 2026-03-09: 91 days, New Year inside
const dayNumber = (day: number): number => Math.floor((T0 + day * DAY_MS) / DAY_MS);
const isHoliday = (day: number): boolean => {
  const md = new Date(T0 + day * DAY_MS).toISOString().slice(5, 10);
  return md >= '12-24' || md <= '01-02';
};

type Kind = 'steady' | 'decaying' | 'stopping';

/** Logins of one account: on a working day with its own probability (lower on weekends, far
 * lower over the holiday); a decaying account fades to a tenth over weeks 3-7 of the quarter, a
 * stopping one stops in week 5. */
function logins(kind: Kind, seed: number): JourneyEvent[] {
  const rng = new Rng(seed); // the workload generator's seeded stream: the same days on every run
  const level = 0.35 + 0.55 * rng.float();
  const account = `acc_${kind}_${seed}`;
  const out: JourneyEvent[] = [];
  for (let day = FIRST_DAY; day < QUARTER.to; day++) {
    let p = weekdayOf(dayNumber(day)) >= 5 ? level * 0.15 : level;
    if (isHoliday(day)) p *= 0.1;
    const q = day - QUARTER.from;
    if (kind === 'decaying' && q > 21) p *= Math.max(0.1, 1 - (q - 21) / 28);
    if (kind === 'stopping' && q > 35) p = 0;
    if (rng.float() < p)
      out.push(ev('Logged In', day + 0.4, { account_id: account, person_id: `p_${account}` }));
  }
  out.unshift(ev('Signed Up', FIRST_DAY, { account_id: account, person_id: `p_${account}` }));
  return out;
}

function riskEntries(kind: Kind, seeds: number, map: JourneyMap): number[] {
  return Array.from({ length: seeds }, (_, seed) => {
    const { effects } = run(logins(kind, seed + 1), { map, until: T0 + QUARTER.to * DAY_MS });
    return effects.filter(
      (e) =>
        e.kind === 'transition' &&
        e.to_stage === 'churn-risk' &&
        e.at >= T0 + QUARTER.from * DAY_MS &&
        e.at < T0 + QUARTER.to * DAY_MS,
    ).length;
  });
}

/** The shipped map's churn-risk rules before #15 (calendar days, no hysteresis). */
const naive: JourneyMap = b2bEveryDay;

test('steady accounts enter churn-risk less than once per ten accounts per quarter; decaying and stopping ones do', () => {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const steady = riskEntries('steady', 100, b2b);
  const steadyNaive = riskEntries('steady', 100, naive);
  const decaying = riskEntries('decaying', 20, b2b);
  const stopping = riskEntries('stopping', 20, b2b);
  const rows = [
    ['steady (100)', sum(steady), sum(steadyNaive)],
    [
      'decaying (20), accounts entering',
      decaying.filter((n) => n > 0).length,
      riskEntries('decaying', 20, naive).filter((n) => n > 0).length,
    ],
    [
      'stopping (20), accounts entering',
      stopping.filter((n) => n > 0).length,
      riskEntries('stopping', 20, naive).filter((n) => n > 0).length,
    ],
  ];
  console.log('churn-risk over a quarter: shipped map vs without hysteresis / quiet days');
  for (const [label, shipped, before] of rows)
    console.log(`  ${String(label).padEnd(36)} ${shipped}  (before: ${before})`);
  assert.ok(sum(steady) < 100 / 10, `steady entries ${sum(steady)} (before: ${sum(steadyNaive)})`);
  assert.ok(
    sum(steadyNaive) >= 3 * Math.max(1, sum(steady)),
    'the rules before flapped on the same accounts',
  );
  assert.ok(decaying.filter((n) => n > 0).length >= 16, `decaying accounts entering: ${decaying.join(',')}`);
  assert.equal(stopping.filter((n) => n > 0).length, 20, 'every stopping account enters');
});
