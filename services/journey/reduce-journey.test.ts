// The reducer's rules, one test each (docs/journey.md "Reducer rules").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS } from './account-state.ts';
import { activeSeats, activeUsersTrend, usageTrend, weeklyActivity } from './account-views.ts';
import { loadJourneyMap } from './journey-map.ts';
import { reduceJourney } from './reduce-journey.ts';
import {
  at,
  b2b,
  billing,
  ev,
  HOUR_MS,
  ofKind,
  run,
  transitions,
} from '../../test/support/journey-test-events.ts';

const utm = (source: string) => ({ source, medium: 'cpc', campaign: 'brand', term: null, content: null });

test('sign-up, activation and an expansion (with its entry condition) move the account forward', () => {
  const { state, effects } = run(
    [
      ev('Page Viewed', 0, { channel: 'paid_search', utm: utm('google') }),
      ev('Signed Up', 1),
      ev('Logged In', 1),
      ev('Logged In', 3),
      ev('Logged In', 6.5),
      billing('customer.subscription.updated', 10, { mrr_change_kind: 'expansion', mrr_cents: 50000 }),
      billing('invoice.paid', 12, { amount_cents: 50000 }),
    ],
    { until: at(13) },
  );
  assert.deepEqual(transitions(effects), [
    'acquisition->activation',
    'activation->engagement',
    'engagement->expansion',
  ]);
  const [signup, activated, expanded] = ofKind(effects, 'transition');
  assert.equal(signup!.at, at(1));
  assert.equal(signup!.reason, 'Signed Up');
  assert.equal(activated!.at, at(6.5));
  assert.equal(activated!.reason, 'activated');
  assert.equal(expanded!.at, at(12), 'expansion needs its entry condition (a paid invoice) too');
  assert.ok(effects.every((e) => e.map_version === b2b.version));
  assert.deepEqual(state.stageEntries, {
    acquisition: at(0),
    activation: at(1),
    engagement: at(6.5),
    expansion: at(12),
  });
  assert.equal(state.stageEnteredAt, at(12));
  assert.equal(state.activatedAt! - state.signupAt!, 5.5 * DAY_MS, 'time to first value');
  assert.equal(state.mrrCents, 50000);
});

test('activation: 3 logins on 3 separate days within a 7-day window, no fewer days, no wider window', () => {
  const twoDays = run([ev('Signed Up', 0), ev('Logged In', 0), ev('Logged In', 0.2), ev('Logged In', 2)], {
    until: at(30),
  });
  assert.equal(twoDays.state.activatedAt, null, 'three logins on two days');
  const wide = run([ev('Signed Up', 0), ev('Logged In', 0), ev('Logged In', 4), ev('Logged In', 7)], {
    until: at(30),
  });
  assert.equal(wide.state.activatedAt, null, 'days 0, 4, 7 span 8 calendar days');
  const edge = run(
    [ev('Signed Up', 0), ev('Logged In', 0), ev('Logged In', 4), ev('Logged In', 6), ev('Logged In', 6.1)],
    {
      until: at(30),
    },
  );
  assert.equal(edge.state.activatedAt, at(6), 'the earliest login of the completing day');
  assert.equal(ofKind(edge.effects, 'activation').length, 1);
  assert.deepEqual(edge.state.keyActions, [], 'key actions are dropped once activation is announced');
});

test('activation by count: the key action N times within D days (b2c: one order in 14 days)', () => {
  const b2c = loadJourneyMap('config/journeys/b2c.yaml');
  const { state, effects } = run(
    [
      ev('Signed Up', 0, { account_id: null }),
      ev('Order Completed', 2, { account_id: null, amount_cents: 2500 }),
    ],
    { map: b2c, until: at(3) },
  );
  assert.equal(state.kind, 'person', 'no account: the journey is keyed by the person');
  assert.equal(state.key, 'p1');
  assert.equal(state.activatedAt, at(2));
  assert.deepEqual(transitions(effects), ['acquisition->activation', 'activation->engagement']);
  assert.deepEqual(
    ofKind(effects, 'funnel_step').map((e) => [e.step, e.step_index]),
    [
      ['Signed Up', 0],
      ['Order Completed', 4],
    ],
  );
});

test('effects wait for the watermark, so a late earlier event within the lateness replaces them', () => {
  const late = b2b.lateness_minutes * 60_000;
  const first = reduceJourney(undefined, ev('Signed Up', 1), at(1) - late, b2b);
  assert.deepEqual(first.effects, [], 'not settled yet: nothing announced');
  assert.equal(first.state.signupAt, at(1));
  const earlier = reduceJourney(first.state, ev('Signed Up', 1 - 0.5 * (late / DAY_MS)), at(1) - late, b2b);
  assert.equal(earlier.state.signupAt, at(1) - late / 2, 'earliest sign-up wins');
  const settled = reduceJourney(earlier.state, ev('Page Viewed', 1.1), at(1.1) - late, b2b);
  assert.deepEqual(
    ofKind(settled.effects, 'transition').map((e) => e.at),
    [at(1) - late / 2],
  );
});

test('a too-late event keeps earliest firsts but never moves the stage backwards', () => {
  const { state, effects } = run(
    [
      ev('Signed Up', 5),
      ev('Logged In', 5),
      ev('Page Viewed', 8),
      ev('Page Viewed', 0, { channel: 'email' }),
      ev('Signed Up', 2),
    ],
    { until: at(9) },
  );
  assert.equal(state.signupAt, at(2), 'earliest sign-up wins even when too late');
  assert.equal(state.firstTouch?.channel, 'email');
  assert.equal(state.stage, 'activation');
  assert.equal(state.stageEntries.activation, at(5), 'an announced entry stays');
  assert.deepEqual(transitions(effects), ['acquisition->activation']);
});

test('first touch and the last touch before sign-up; touches after sign-up do not count', () => {
  const { state } = run([
    ev('Page Viewed', 0, { channel: 'social', utm: utm('linkedin') }),
    ev('Page Viewed', 1, { channel: 'paid_search', utm: utm('google') }),
    ev('Signed Up', 2),
    ev('Page Viewed', 3, { channel: 'email', utm: utm('newsletter') }),
  ]);
  assert.deepEqual(state.firstTouch, { channel: 'social', source: 'linkedin', campaign: 'brand', at: at(0) });
  assert.equal(state.lastTouchBeforeSignup?.channel, 'paid_search');
});

test('a trial that lapses unpaid (no churned MRR) is not a churned customer', () => {
  const { state, effects } = run(
    [ev('Signed Up', 0), billing('customer.subscription.deleted', 14, { mrr_change_kind: null })],
    { until: at(15) },
  );
  assert.notEqual(state.stage, 'churned');
  assert.ok(!transitions(effects).some((t) => t.endsWith('->churned')));
});

test('billing churn from any stage with the reason in the customer words; activity does not un-churn', () => {
  const events = [
    ev('Signed Up', 0),
    billing('customer.subscription.deleted', 3, {
      mrr_change_kind: 'churn',
      mrr_cents: 0,
      cancel_reason: 'too expensive for our team',
    }),
    ev('Logged In', 4),
  ];
  const { state, effects } = run(events, { until: at(5) });
  assert.equal(state.stage, 'churned');
  assert.equal(state.churnedAt, at(3));
  assert.equal(state.cancelReason, 'too expensive for our team');
  assert.deepEqual(transitions(effects), ['acquisition->activation', 'activation->churned']);
});

test('churned -> reactivated: a later subscription returns to the furthest stage reached; an earlier churn cannot re-churn', () => {
  const events = [
    ev('Signed Up', 0),
    ev('Logged In', 0),
    ev('Logged In', 1),
    ev('Logged In', 2),
    billing('customer.subscription.deleted', 5, { mrr_change_kind: 'churn' }),
    billing('customer.subscription.created', 9, { mrr_change_kind: 'reactivation', mrr_cents: 9000 }),
    billing('customer.subscription.deleted', 4, { mrr_change_kind: 'churn' }),
  ];
  const { state, effects } = run(events, { until: at(10) });
  assert.deepEqual(transitions(effects), [
    'acquisition->activation',
    'activation->engagement',
    'engagement->churned',
    'churned->engagement',
  ]);
  const back = ofKind(effects, 'transition').at(-1)!;
  assert.equal(back.reason, 'reactivated');
  assert.equal(back.at, at(9));
  assert.equal(state.stage, 'engagement');
  assert.equal(state.churnedAt, null);
});

test('segments from group traits, last writer by event time (a late older trait does not win)', () => {
  const group = (day: number, employees: number) =>
    ev('group', day, { type: 'group', traits_json: JSON.stringify({ employees, name: 'Acme' }) });
  const { state } = run([group(0, 20), group(2, 250), group(1, 60)]);
  assert.equal(state.traits.employees, 250);
  assert.equal(state.segment, 'enterprise');
  assert.equal(run([group(0, 60)]).state.segment, 'mid-market');
  assert.equal(run([ev('Page Viewed', 0)]).state.segment, 'smb');
});

test('billing facts: plan and seats by event time, bounded MRR history, contractions, failed payments', () => {
  const events = [billing('customer.subscription.created', 0, { plan: 'team', seats: 10, mrr_cents: 10000 })];
  for (let m = 1; m <= 15; m++) events.push(billing('invoice.paid', m * 30, { mrr_cents: 10000 + m }));
  events.push(
    billing('customer.subscription.updated', 455, {
      plan: 'starter',
      seats: 5,
      mrr_cents: 4000,
      mrr_change_kind: 'contraction',
    }),
  );
  events.push(billing('customer.subscription.updated', 454, { plan: 'business', seats: 50 }));
  events.push(billing('invoice.payment_failed', 456), billing('invoice.payment_failed', 457));
  const { state } = run(events);
  assert.equal(state.plan, 'starter');
  assert.equal(state.seats, 5);
  assert.equal(state.mrrCents, 4000);
  assert.equal(state.mrrHistory.length, 12);
  assert.deepEqual(state.mrrHistory.at(-1), [at(455), 4000]);
  assert.deepEqual(state.contractionTimes, [at(455)]);
  assert.equal(state.failedPayments, 2);
});

test('voice and support: latest NPS/CSAT by event time, ticket volume and severity', () => {
  const survey = (day: number, kind: 'nps' | 'csat', score: number) =>
    ev(`survey.${kind}`, day, { source: 'surveys', type: 'survey', score_kind: kind, score });
  const ticket = (day: number, priority: string) =>
    ev('ticket.created', day, {
      source: 'tickets',
      type: 'ticket',
      ticket_priority: priority,
      ticket_id: `t${day}`,
    });
  const { state } = run([
    survey(5, 'nps', 3),
    survey(2, 'nps', 9),
    survey(4, 'csat', 4),
    ticket(1, 'low'),
    ticket(2, 'urgent'),
    ticket(3, 'high'),
  ]);
  assert.equal(state.nps, 3);
  assert.equal(state.csat, 4);
  assert.equal(state.tickets, 3);
  assert.deepEqual(state.urgentTicketTimes, [at(2), at(3)]);
});

test('experiments, features, active persons and weekly activity', () => {
  const events = [
    ev('Page Viewed', 0, { experiment_id: 'onboarding_v2', experiment_variant: 'treatment' }),
    ev('Feature Used', 1, { properties_json: '{"feature":"reports"}' }),
    ev('Feature Used', 1.1, { properties_json: '{"feature":"alerts"}', person_id: 'p2' }),
    ev('Feature Used', 2, { properties_json: '{"feature":"reports"}', person_id: 'p3' }),
    billing('customer.subscription.created', 0, { seats: 10 }),
  ];
  const { state } = run(events);
  assert.deepEqual(state.experiments, { onboarding_v2: 'treatment' });
  assert.deepEqual(state.features, ['alerts', 'reports']);
  assert.equal(activeSeats(state, at(3)), 3);
  assert.equal(activeSeats(state, at(40)), 0);
  assert.equal(state.seats, 10);
  assert.deepEqual(weeklyActivity(state), [{ week: '2026-01-05', activeDays: 3, activeUsers: 3 }]);
  assert.equal(usageTrend(state, at(3)), null, 'no trend for an account younger than 14 days');
});

test('the champion is the admin, else the person who signed up', () => {
  const signup = run([
    ev('Signed Up', 1, { person_id: 'p_first' }),
    ev('Signed Up', 2, { person_id: 'p_second' }),
  ]);
  assert.equal(signup.state.champion, 'p_first');
  const admin = run([
    ev('Signed Up', 1, { person_id: 'p_first' }),
    ev('identify', 3, { type: 'identify', person_id: 'p_admin', traits_json: '{"role":"admin"}' }),
  ]);
  assert.equal(admin.state.champion, 'p_admin');
});

test('usage trend compares the last 7 days with the 28-day baseline', () => {
  const events = [];
  for (let d = 0; d < 21; d++) events.push(ev('Logged In', d));
  events.push(ev('Logged In', 27));
  const { state } = run(events);
  // last 7 days (22..28): 1 active day; 28 days (1..28): 21 active days
  assert.equal(usageTrend(state, at(28) + HOUR_MS), 1 / 7 / (21 / 28));
});

test('active users trend: weekly active persons, last 2 completed weeks over the 4 before', () => {
  // Six persons every weekday for six weeks, then two of them for two more weeks.
  const events = [];
  for (let d = 0; d < 56; d++)
    for (let p = 0; p < (d < 42 ? 6 : 2); p++) events.push(ev('Logged In', d, { person_id: `p${p}` }));
  const { state } = run(events);
  assert.equal(activeUsersTrend(state, at(20)), null, 'not six completed weeks of history yet');
  const trend = activeUsersTrend(state, at(56) + HOUR_MS);
  assert.ok(trend !== null && Math.abs(trend - 2 / 6) < 0.05, `trend ${trend}`);
  const steady = activeUsersTrend(state, at(42) + HOUR_MS);
  assert.ok(steady !== null && Math.abs(steady - 1) < 0.05, `steady ${steady}`);
});
