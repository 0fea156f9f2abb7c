// Onboarding a customer base older than the pipeline (#15 item 2): the map's `evidence` says a
// stage is reached whatever was seen before (stage-timeline.ts), and every account past the first
// stage, or bearing MRR, is scored (isScored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isScored } from './rescore-account.ts';
import { at, b2b, billing, ev, run, transitions } from '../../test/support/journey-test-events.ts';

test('a paying account the pipeline never saw sign up is a customer from its first paid invoice', () => {
  const { state, effects } = run(
    [ev('Logged In', 0), billing('invoice.paid', 1, { amount_cents: 49_00 }), ev('Logged In', 2)],
    { until: at(3) },
  );
  assert.equal(state.stage, 'engagement');
  assert.deepEqual(transitions(effects), ['acquisition->activation', 'activation->engagement']);
  assert.ok(
    effects.every((e) => e.kind !== 'transition' || (e.reason === 'evidence' && e.at === at(1))),
    'passed on the evidence, at its time',
  );
  assert.ok(isScored(state, at(3), b2b));
});

test('an active subscription is evidence too; a trial, a free invoice or logins alone are not', () => {
  const subscribed = run(
    [ev('Logged In', 0), billing('customer.subscription.created', 1, { mrr_cents: 5_000 })],
    {
      until: at(2),
    },
  );
  assert.equal(subscribed.state.stage, 'engagement');
  for (const fact of [
    billing('customer.subscription.created', 1, { mrr_cents: 0 }),
    billing('invoice.paid', 1, { amount_cents: 0 }),
    ev('Logged In', 1),
  ]) {
    const { state } = run([ev('Logged In', 0), fact], { until: at(2) });
    assert.equal(state.stage, 'acquisition', fact.name);
    assert.equal(isScored(state, at(2), b2b), false, `${fact.name}: a prospect is not scored`);
  }
});

test('an account used for days without a sign-up seen (activated) is past acquisition and scored', () => {
  const days = [0, 1, 2].map((d) => ev('Logged In', d));
  const { state, effects } = run(days, { until: at(4) });
  assert.notEqual(state.stage, 'acquisition');
  assert.ok(transitions(effects).includes('acquisition->activation'));
  assert.ok(isScored(state, at(4), b2b));
});

test('customers_only: a lost trial that goes quiet is not at risk; a paying customer or a product without billing is', () => {
  const sub = (name: string, day: number, mrr: number) =>
    billing(name, day, { mrr_cents: mrr, properties_json: JSON.stringify({ subscription_id: 'sub_1' }) });
  const active = [ev('Signed Up', 0), ...[0, 1, 2, 3, 4, 7, 8, 9, 10, 11].map((d) => ev('Logged In', d))];
  const quiet = { until: at(70) };
  const stageOf = (billingEvents: ReturnType<typeof billing>[]) =>
    run(
      [...active, ...billingEvents].sort((a, b) => a.event_time - b.event_time),
      quiet,
    ).state;

  const lostTrial = stageOf([
    sub('customer.subscription.created', 0, 0),
    sub('customer.subscription.deleted', 14, 0),
  ]);
  assert.equal(b2b.churn_risk.customers_only, true);
  assert.notEqual(lostTrial.stage, 'churn-risk', 'a lost trial is not a customer about to leave');
  const paying = stageOf([sub('customer.subscription.created', 0, 5_000)]);
  assert.equal(paying.stage, 'churn-risk');
  assert.equal(stageOf([]).stage, 'churn-risk', 'no billing at all: the product decides');
  const anyAccount = run(
    [...active, sub('customer.subscription.created', 0, 0), sub('customer.subscription.deleted', 14, 0)].sort(
      (a, b) => a.event_time - b.event_time,
    ),
    { ...quiet, map: { ...b2b, churn_risk: { ...b2b.churn_risk, customers_only: false } } },
  ).state;
  assert.equal(anyAccount.stage, 'churn-risk', 'without customers_only the lost trial goes at risk');
});
