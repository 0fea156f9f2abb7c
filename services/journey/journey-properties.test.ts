// Properties of the journey reducer (fast-check), over random journeys of up to 60 days:
//  - any arrival order within the lateness gives the same final state and the same effects;
//  - replay, and a restart from the serialised state, give identical state and effects;
//  - advancing time more or less often gives the same effects;
//  - stages never move backwards; merges are commutative on facts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { AccountState } from './account-state.ts';
import { advanceTime } from './advance-time.ts';
import { foldMerge } from './fold-merge.ts';
import type { JourneyEffect } from './journey-effects.ts';
import { stageIndex } from './journey-map.ts';
import { reduceJourney } from './reduce-journey.ts';
import { deserializeState, serializeState } from './serialize-state.ts';
import { at, b2b, billing, ev, run } from '../../test/support/journey-test-events.ts';
import type { Run } from '../../test/support/journey-test-events.ts';

const LATENESS = b2b.lateness_minutes * 60_000;
const END = at(120);

const BUILDERS: Array<(day: number, n: number) => JourneyEvent> = [
  (d, n) =>
    ev('Page Viewed', d, { channel: ['email', 'social', 'paid_search'][n % 3]!, person_id: `p${n % 3}` }),
  (d, n) => ev('Signed Up', d, { person_id: `p${n % 3}` }),
  (d, n) => ev('Logged In', d, { person_id: `p${n % 4}` }),
  (d, n) => ev('Logged In', d, { person_id: `p${n % 4}` }),
  (d, n) => ev('Logged In', d, { person_id: `p${n % 4}` }),
  (d, n) => ev('Logged In', d, { person_id: `p${n % 4}` }),
  (d, n) =>
    ev('Feature Used', d, {
      properties_json: JSON.stringify({ feature: `f${n % 5}` }),
      person_id: `p${n % 4}`,
    }),
  (d, n) => ev(['Created Project', 'Invited Teammate', 'Connected Integration'][n % 3]!, d),
  (d, n) => billing('invoice.paid', d, { amount_cents: 1000 * (n % 3), mrr_cents: 1000 * (n % 7) }),
  (d, n) =>
    billing('customer.subscription.updated', d, {
      mrr_change_kind: 'expansion',
      mrr_cents: 9000 + n,
      seats: n % 20,
    }),
  (d) =>
    billing('customer.subscription.deleted', d, { mrr_change_kind: 'churn', cancel_reason: `reason ${d}` }),
  (d, n) =>
    billing('customer.subscription.created', d, { mrr_change_kind: 'reactivation', plan: `plan${n % 2}` }),
  (d, n) =>
    ev('ticket.created', d, { source: 'tickets', type: 'ticket', ticket_priority: n % 2 ? 'urgent' : 'low' }),
  (d, n) => ev('survey.nps', d, { source: 'surveys', type: 'survey', score_kind: 'nps', score: n % 11 }),
  (d, n) => ev('group', d, { type: 'group', traits_json: JSON.stringify({ employees: n * 10 }) }),
  (d, n) => ev('identify', d, { type: 'identify', person_id: `p${n % 3}`, traits_json: '{"role":"admin"}' }),
  (d, n) => ev('Page Viewed', d, { experiment_id: `exp${n % 2}`, experiment_variant: n % 3 ? 'a' : 'b' }),
];

interface Arrival {
  event: JourneyEvent;
  delay: number;
}

const arrivalArb = fc
  .record({
    builder: fc.nat(BUILDERS.length - 1),
    // Mostly a busy first fortnight, sometimes later (churn, reactivation, risk exits).
    day: fc.oneof(
      { weight: 3, arbitrary: fc.double({ min: 0, max: 14, noNaN: true }) },
      { weight: 1, arbitrary: fc.double({ min: 14, max: 60, noNaN: true }) },
    ),
    n: fc.nat(1000),
    delay: fc.nat(LATENESS - 1),
  })
  .map(({ builder, day, n, delay }) => ({ event: BUILDERS[builder]!(day, n), delay }));

const journeyArb = fc
  .array(arrivalArb, { minLength: 1, maxLength: 60, size: 'max' })
  .map((arrivals) => arrivals.map((a, i) => ({ ...a, event: { ...a.event, event_id: `e${i}` } })));

const inEventTime = (arrivals: readonly Arrival[]): JourneyEvent[] =>
  arrivals
    .map((a) => a.event)
    .sort((x, y) => x.event_time - y.event_time || (x.event_id < y.event_id ? -1 : 1));

/** Each event arrives `delay` (< lateness) after it happened: never behind the watermark. */
const asArrived = (arrivals: readonly Arrival[]): JourneyEvent[] =>
  [...arrivals]
    .sort(
      (x, y) =>
        x.event.event_time + x.delay - (y.event.event_time + y.delay) ||
        (x.event.event_id < y.event.event_id ? -1 : 1),
    )
    .map((a) => a.event);

const ids = (effects: readonly JourneyEffect[]): string[] => effects.map((e) => e.id).sort();

test('any arrival order within the lateness gives the same final state and effects', () => {
  fc.assert(
    fc.property(journeyArb, (arrivals) => {
      const ordered = run(inEventTime(arrivals), { until: END });
      const arrived = run(asArrived(arrivals), { until: END });
      assert.deepEqual(arrived.state, ordered.state);
      assert.deepEqual(ids(arrived.effects), ids(ordered.effects));
      assert.equal(new Set(ids(ordered.effects)).size, ordered.effects.length, 'each effect once');
    }),
    { numRuns: 300 },
  );
});

test('replay, and a restart from the serialised state, give identical state and effects', () => {
  fc.assert(
    fc.property(journeyArb, fc.nat(), (arrivals, cut) => {
      const events = asArrived(arrivals);
      const once = run(events, { until: END });
      assert.deepEqual(run(events, { until: END }), once);
      const k = 1 + (cut % events.length);
      const before = run(events.slice(0, k));
      const restored = deserializeState(serializeState(before.state));
      assert.deepEqual(restored, before.state);
      let state: AccountState = restored;
      const effects = [...before.effects];
      let watermark = Math.max(...events.slice(0, k).map((e) => e.event_time)) - LATENESS;
      for (const e of events.slice(k)) {
        watermark = Math.max(watermark, e.event_time - LATENESS);
        const r = reduceJourney(state, e, watermark, b2b);
        state = deserializeState(serializeState(r.state));
        effects.push(...r.effects);
      }
      const end = advanceTime(state, END, b2b);
      assert.deepEqual(end.state, once.state);
      assert.deepEqual([...effects, ...end.effects], once.effects);
    }),
    { numRuns: 150 },
  );
});

test('advancing time more or less often gives the same state and effects', () => {
  fc.assert(
    fc.property(journeyArb, fc.integer({ min: 1, max: 72 }), (arrivals, hours) => {
      const events = inEventTime(arrivals);
      const once = run(events, { until: END });
      let { state, effects } = run(events);
      effects = [...effects];
      for (let now = state.maxEventTime - LATENESS; now < END; now += hours * 3_600_000) {
        const r = advanceTime(state, now, b2b);
        state = r.state;
        effects.push(...r.effects);
      }
      const last = advanceTime(state, END, b2b);
      assert.deepEqual(last.state, once.state);
      assert.deepEqual(ids([...effects, ...last.effects]), ids(once.effects));
    }),
    { numRuns: 150 },
  );
});

function assertNeverBackwards({ effects }: Run): void {
  let stage = 'acquisition';
  let furthest = 0;
  let time = -Infinity;
  for (const e of effects) {
    if (e.kind !== 'transition') continue;
    assert.equal(e.from_stage, stage, 'transitions chain');
    assert.ok(e.at >= time, 'entry times never go backwards');
    const to = b2b.stages[stageIndex(b2b, e.to_stage)]!;
    const index = stageIndex(b2b, e.to_stage);
    if (!to.signal) {
      assert.ok(index >= furthest, `${e.from_stage} -> ${e.to_stage} moves an ordinary stage backwards`);
      furthest = index;
    }
    stage = e.to_stage;
    time = e.at;
  }
}

test('stages never move backwards; signal stages return to the furthest stage reached', () => {
  fc.assert(
    fc.property(journeyArb, (arrivals) => {
      assertNeverBackwards(run(asArrived(arrivals), { until: END }));
      // Too-late events too (arbitrary order, far behind the watermark):
      assertNeverBackwards(
        run(
          [...arrivals].reverse().map((a) => a.event),
          { until: END },
        ),
      );
    }),
    { numRuns: 200 },
  );
});

test('merges: facts fold commutatively, whichever state survives', () => {
  const factsOf = (s: AccountState) => {
    const {
      key: _k,
      kind: _kd,
      stage: _s,
      stageEnteredAt: _e,
      stageEntries: _se,
      stalledStage: _st,
      churnedAt: _c,
      emittedActivation: _a,
      emittedFunnel: _f,
      reactivatedAt: _ra,
      riskSince: _r,
      riskSignal: _rs,
      lastRiskExitAt: _x,
      churn: _ch,
      ...facts
    } = s;
    return facts;
  };
  fc.assert(
    fc.property(journeyArb, journeyArb, (a, b) => {
      const left = run(inEventTime(a)).state;
      const right = run(inEventTime(b).map((e) => ({ ...e, event_id: `b-${e.event_id}` }))).state;
      assert.deepEqual(factsOf(foldMerge(left, right, b2b)), factsOf(foldMerge(right, left, b2b)));
    }),
    { numRuns: 150 },
  );
});

test('the generator reaches every stage (the properties are not vacuous)', () => {
  const reached = new Set<string>();
  fc.assert(
    fc.property(journeyArb, (arrivals) => {
      for (const stage of Object.keys(run(inEventTime(arrivals), { until: END }).state.stageEntries))
        reached.add(stage);
    }),
    { numRuns: 300, seed: 42 },
  );
  assert.deepEqual([...reached].sort(), b2b.stages.map((s) => s.id).sort());
});
