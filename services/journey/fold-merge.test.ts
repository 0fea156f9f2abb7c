// Merge folds: a person's pre-account journey folds into the account; facts merge commutatively.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountState } from './account-state.ts';
import { advanceTime } from './advance-time.ts';
import { foldMerge } from './fold-merge.ts';
import { at, b2b, billing, ev, run, transitions } from '../../test/support/journey-test-events.ts';

/** The facts of a state: everything but the key and what was announced. */
function facts(s: AccountState): Partial<AccountState> {
  const {
    key: _key,
    kind: _kind,
    stage: _stage,
    stageEnteredAt: _entered,
    stageEntries: _entries,
    stalledStage: _stalled,
    churnedAt: _churnedAt,
    emittedActivation: _activation,
    emittedFunnel: _funnel,
    reactivatedAt: _reactivated,
    riskSince: _risk,
    riskSignal: _signal,
    lastRiskExitAt: _exit,
    churn: _churn,
    ...rest
  } = s;
  return rest;
}

const person = () =>
  run(
    [
      ev('Page Viewed', 0, { account_id: null, channel: 'social' }),
      ev('Signed Up', 1, { account_id: null }),
      ev('Logged In', 1, { account_id: null }),
      ev('Logged In', 2, { account_id: null }),
    ],
    { until: at(2.5) },
  ).state;

const account = () =>
  run(
    [
      ev('Logged In', 3, { person_id: 'p2' }),
      ev('group', 3, { type: 'group', traits_json: '{"employees":300}' }),
      // A trial (no MRR yet): no evidence of a paying customer (see stage-evidence.test.ts).
      billing('customer.subscription.created', 3, { plan: 'team', seats: 5, mrr_cents: 0 }),
    ],
    { until: at(3.5) },
  ).state;

test('a person pre-account journey folds into the account: earliest firsts, unions, the further stage', () => {
  const merged = foldMerge(account(), person(), b2b);
  assert.equal(merged.key, 'acc_1');
  assert.equal(merged.firstTouch?.channel, 'social');
  assert.equal(merged.signupAt, at(1));
  assert.equal(merged.firstSeenAt, at(0));
  assert.equal(merged.segment, 'enterprise');
  assert.equal(merged.plan, 'team');
  assert.equal(Object.keys(merged.members).length, 2);
  assert.equal(merged.activatedAt, at(3), 'logins on days 1, 2 (person) and 3 (account) activate');
  // The next advance announces what the merged facts add, under the survivor's key.
  const { state, effects } = advanceTime(merged, at(4), b2b);
  assert.deepEqual(transitions(effects), ['acquisition->activation', 'activation->engagement']);
  assert.ok(effects.every((e) => e.account_key === 'acc_1'));
  assert.equal(state.stage, 'engagement');
});

test('facts merge commutatively and the survivor keeps its announced stage and key', () => {
  const a = account();
  const b = person();
  assert.deepEqual(facts(foldMerge(a, b, b2b)), facts(foldMerge(b, a, b2b)));
  assert.equal(foldMerge(a, b, b2b).stage, a.stage);
  assert.equal(foldMerge(b, a, b2b).stage, b.stage);
});

test('merging a state with an empty-handed one changes no facts', () => {
  const a = account();
  const lone = run([ev('identify', 3, { type: 'identify', person_id: 'p9' })]).state;
  const merged = foldMerge(
    a,
    { ...lone, firstSeenAt: a.firstSeenAt, maxEventTime: a.maxEventTime, lastActivityAt: a.lastActivityAt },
    b2b,
  );
  assert.deepEqual(facts(merged), facts(a));
});
