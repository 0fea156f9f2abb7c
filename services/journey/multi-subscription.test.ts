// Issue #16 through the journey stage: an account billed through several subscriptions churns
// when the last one ends, not when one of them does; a trial after the churn is not a comeback,
// its conversion to paid is; the churn outcome carries the MRR the account bore just before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CHURN_CONFIG } from '../churn/churn-config.ts';
import { DEFAULT_IDENTITY_CONFIG, createIdentityGraph } from '../identity/identity-core.ts';
import { confluentFrame, journeyEventType } from '../shared/kafka/canonical-codec.ts';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { createAccountStore } from './account-store.ts';
import { T0, b2b, billing, ev } from '../../test/support/journey-test-events.ts';
import { testTopology, rowsOf } from '../../test/support/journey-test-topology.ts';
import { processJourneyBatch } from './journey-pipeline.ts';

const type = journeyEventType();
const topology = testTopology(null, type);
const anonymous = { person_id: null, account_id: null };

const subscription = (
  name: string,
  day: number,
  id: string,
  mrr: number,
  kind: JourneyEvent['mrr_change_kind'],
): JourneyEvent =>
  billing(name, day, {
    ...anonymous,
    mrr_cents: mrr,
    mrr_change_kind: kind,
    properties_json: JSON.stringify({ subscription_id: id }),
  });

/** Another account's event, later: it moves the stage's watermark past everything above. */
const later = (day: number): JourneyEvent =>
  ev('Page Viewed', day, { ...anonymous, ids: { ...ev('x', 0).ids, user_id: 'u2', account_id: 'acc_2' } });

function journey(input: JourneyEvent[]) {
  const events = [...input, later((input[input.length - 1]!.event_time - T0) / 86_400_000 + 5)];
  const state = { graph: createIdentityGraph(), accounts: createAccountStore() };
  const messages: ConsumedMessage[] = events.map((event, i) => ({
    topic: 'canonical',
    partition: 0,
    offset: String(i),
    key: null,
    value: confluentFrame(7, type.toBuffer(event)),
    headers: {},
    timestampMs: event.event_time,
  }));
  const result = processJourneyBatch(
    messages,
    state,
    topology,
    DEFAULT_IDENTITY_CONFIG,
    { map: b2b, churn: DEFAULT_CHURN_CONFIG },
    events[events.length - 1]!.event_time + 86_400_000,
  );
  // The billed account (acc_2, the later page view, bills nothing).
  const account = [...state.accounts.states.values()].find(
    (s) => s.kind === 'account' && Object.keys(s.subscriptionMrr).length > 0,
  )!;
  const rows = (table: string) =>
    ((rowsOf(result).get(table) ?? []) as Array<Record<string, unknown>>).filter(
      (r) => r['account_key'] === account.key,
    );
  return {
    stages: rows('stage_transitions').map((r) => String(r['to_stage'])),
    outcomes: rows('churn_outcomes').map((r) => ({ at: r['churned_at'], mrr: r['mrr_cents'] })),
    account,
  };
}

const start = [
  ev('Signed Up', 0, anonymous),
  subscription('customer.subscription.created', 1, 'sub_a', 5000, 'new'),
  subscription('customer.subscription.created', 2, 'sub_b', 3000, 'new'),
];

test('cancelling one subscription of two is no churn; cancelling the last one is', () => {
  const partial = journey([...start, subscription('customer.subscription.deleted', 10, 'sub_a', 0, 'churn')]);
  assert.ok(!partial.stages.includes('churned'), `stages: ${partial.stages.join(' -> ')}`);
  assert.deepEqual(partial.outcomes, []);
  assert.equal(partial.account.mrrCents, 3000);

  const full = journey([
    ...start,
    subscription('customer.subscription.deleted', 10, 'sub_a', 0, 'churn'),
    subscription('customer.subscription.deleted', 20, 'sub_b', 0, 'churn'),
  ]);
  assert.equal(full.stages.at(-1), 'churned', `stages: ${full.stages.join(' -> ')}`);
  assert.equal(full.outcomes.length, 1);
  assert.equal(full.outcomes[0]!.mrr, 3000, 'the MRR borne just before the churn');
  assert.equal(full.account.mrrCents, 0);
});

test('after a churn, a trial is no comeback; its conversion to paid is', () => {
  const churned = [
    ...start,
    subscription('customer.subscription.deleted', 10, 'sub_a', 0, 'churn'),
    subscription('customer.subscription.deleted', 20, 'sub_b', 0, 'churn'),
  ];
  const trial = journey([...churned, subscription('customer.subscription.created', 30, 'sub_c', 0, null)]);
  assert.equal(trial.stages.at(-1), 'churned', `stages: ${trial.stages.join(' -> ')}`);
  const converted = journey([
    ...churned,
    subscription('customer.subscription.created', 30, 'sub_c', 0, null),
    subscription('customer.subscription.updated', 44, 'sub_c', 9900, 'new'),
  ]);
  assert.notEqual(converted.stages.at(-1), 'churned', `stages: ${converted.stages.join(' -> ')}`);
  assert.equal(converted.account.mrrCents, 9900);
});
