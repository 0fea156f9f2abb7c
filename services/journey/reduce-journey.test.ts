import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import { DAY_MS, serializeState } from './account-state.ts';
import type { AccountState } from './account-state.ts';
import { advanceTime } from './advance-time.ts';
import { foldMerge } from './fold-merge.ts';
import type { JourneyEffect } from './journey-effects.ts';
import { loadJourneyMap } from './journey-map.ts';
import { reduceJourney } from './reduce-journey.ts';

const map = loadJourneyMap('config/journeys/b2b-saas.yaml');
const T0 = Date.UTC(2026, 0, 5, 9);

function ev(name: string, day: number, extra: Partial<JourneyEvent> = {}): JourneyEvent {
  return {
    event_id: `${name}-${day}-${extra.person_id ?? 'p1'}`,
    source: 'behavior',
    type: 'track',
    name,
    event_time: T0 + day * DAY_MS,
    received_time: T0 + day * DAY_MS,
    ids: {
      anonymous_id: null,
      user_id: 'u1',
      email_hash: null,
      email: null,
      device_id: null,
      account_id: null,
      billing_customer_id: null,
      crm_id: null,
      ticket_requester_id: null,
      previous_id: null,
    },
    channel: null,
    utm: null,
    plan: null,
    seats: null,
    amount_cents: null,
    currency: null,
    mrr_cents: null,
    mrr_delta_cents: null,
    mrr_change_kind: null,
    cancel_reason: null,
    score_kind: null,
    score: null,
    comment: null,
    survey_stage: null,
    ticket_id: null,
    ticket_priority: null,
    ticket_status: null,
    ticket_category: null,
    experiment_id: null,
    experiment_variant: null,
    traits_json: null,
    properties_json: '{}',
    person_id: 'p1',
    account_id: 'acc_1',
    ...extra,
  };
}

function run(events: JourneyEvent[]): { state: AccountState; effects: JourneyEffect[] } {
  let state: AccountState | undefined;
  const effects: JourneyEffect[] = [];
  for (const e of events) {
    const r = reduceJourney(state, e, map, 'acc_1', 'account');
    state = r.state;
    effects.push(...r.effects);
  }
  return { state: state as AccountState, effects };
}

const transitions = (effects: JourneyEffect[]) =>
  effects
    .filter((e) => e.kind === 'transition')
    .map((e) => `${(e as { from_stage: string }).from_stage}->${(e as { to_stage: string }).to_stage}`);

test('sign-up, activation (3 distinct days within 7) and expansion move the account forward', () => {
  const { state, effects } = run([
    ev('Page Viewed', 0, {
      channel: 'paid_search',
      utm: { source: 'google', medium: 'cpc', campaign: 'brand', term: null, content: null },
    }),
    ev('Signed Up', 1),
    ev('Logged In', 1),
    ev('Logged In', 3),
    ev('Logged In', 3),
    ev('Logged In', 6),
    ev('customer.subscription.updated', 10, {
      source: 'billing',
      mrr_change_kind: 'expansion',
      mrr_cents: 50000,
    }),
  ]);
  assert.deepEqual(transitions(effects), [
    'acquisition->activation',
    'activation->engagement',
    'engagement->expansion',
  ]);
  assert.equal(state.activatedAt, T0 + 6 * DAY_MS);
  assert.equal(state.signupAt, T0 + DAY_MS);
  assert.equal(state.firstTouch?.channel, 'paid_search');
  assert.equal(state.mrrCents, 50000);
  assert.equal(effects.filter((e) => e.kind === 'activation').length, 1);
});

test('three logins spread over more than 7 days do not activate', () => {
  const { state } = run([ev('Signed Up', 0), ev('Logged In', 0), ev('Logged In', 4), ev('Logged In', 7)]);
  assert.equal(state.activatedAt, null);
  assert.equal(state.stage, 'activation');
});

test('a late, earlier event keeps the earliest times and never moves the stage backwards', () => {
  const { state, effects } = run([
    ev('Signed Up', 5),
    ev('Logged In', 5),
    ev('Page Viewed', 0, { channel: 'email' }),
    ev('Signed Up', 2),
  ]);
  assert.equal(state.signupAt, T0 + 2 * DAY_MS, 'earliest sign-up wins');
  assert.equal(state.firstTouch?.channel, 'email');
  assert.equal(state.stage, 'activation');
  assert.deepEqual(transitions(effects), ['acquisition->activation']);
});

test('inactivity makes an account at-risk by time alone, deterministically; activity brings it back', () => {
  const { state } = run([ev('Signed Up', 0), ev('Logged In', 0), ev('Logged In', 1), ev('Logged In', 2)]);
  assert.equal(state.stage, 'engagement');
  const early = advanceTime(state, T0 + 10 * DAY_MS, map);
  assert.equal(early.state.stage, 'engagement');
  const late = advanceTime(state, T0 + 40 * DAY_MS, map);
  assert.equal(late.state.stage, 'churn-risk');
  const t = late.effects.find((e) => e.kind === 'transition') as { at: number };
  assert.equal(
    t.at,
    T0 + 2 * DAY_MS + 14 * DAY_MS,
    'fires at last activity + inactive days, whenever the tick came',
  );
  assert.deepEqual(
    advanceTime(state, T0 + 41 * DAY_MS, map)
      .effects.map((e) => e.id)
      .sort(),
    late.effects.map((e) => e.id).sort(),
  );
  const back = reduceJourney(late.state, ev('Logged In', 41), map, 'acc_1', 'account');
  assert.equal(back.state.stage, 'engagement');
});

test('a stall fires once per stage entry', () => {
  const { state } = run([ev('Signed Up', 0)]);
  const first = advanceTime(state, T0 + 8 * DAY_MS, map);
  assert.equal(first.effects.filter((e) => e.kind === 'stall').length, 1);
  assert.equal(
    advanceTime(first.state, T0 + 9 * DAY_MS, map).effects.filter((e) => e.kind === 'stall').length,
    0,
  );
});

test('billing cancellation churns from any stage, with the reason in the customer words', () => {
  const { state } = run([
    ev('Signed Up', 0),
    ev('customer.subscription.deleted', 3, {
      source: 'billing',
      mrr_change_kind: 'churn',
      cancel_reason: 'too expensive for our team',
    }),
  ]);
  assert.equal(state.stage, 'churned');
  assert.equal(state.cancelReason, 'too expensive for our team');
  assert.equal(state.churnedAt, T0 + 3 * DAY_MS);
});

test('replay gives identical state and effect ids', () => {
  const events = [
    ev('Signed Up', 0),
    ev('Logged In', 0),
    ev('Logged In', 2),
    ev('Logged In', 3),
    ev('Feature Used', 4, { properties_json: '{"feature":"reports"}' }),
  ];
  assert.deepEqual(run(events), run(events));
});

test('a busy account stays under 4 KB serialised', () => {
  const events: JourneyEvent[] = [];
  for (let d = 0; d < 120; d++) {
    events.push(
      ev('Logged In', d, { person_id: `p${d % 60}` }),
      ev('Feature Used', d, { properties_json: JSON.stringify({ feature: `f${d % 70}` }) }),
    );
    if (d % 5 === 0) events.push(ev('ticket.created', d, { source: 'tickets', ticket_priority: 'high' }));
    if (d % 10 === 0) events.push(ev('invoice.paid', d, { source: 'billing', mrr_cents: 10000 + d }));
  }
  const bytes = Buffer.byteLength(serializeState(run(events).state));
  assert.ok(bytes <= 4096, `serialised state is ${bytes} bytes`);
});

test('a merge folds earliest firsts, latest lasts and the further stage', () => {
  const a = run([ev('Page Viewed', 0, { channel: 'social' })]).state;
  const b = run([ev('Signed Up', 3), ev('Logged In', 3), ev('Logged In', 4), ev('Logged In', 5)]).state;
  const merged = foldMerge(a, b, map);
  assert.equal(merged.stage, 'engagement');
  assert.equal(merged.firstTouch?.channel, 'social');
  assert.equal(merged.firstSeenAt, T0);
  assert.equal(merged.activatedAt, b.activatedAt);
});
