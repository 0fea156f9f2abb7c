// Restoring the journey changelog across format versions: a state written by the previous build
// comes back as the same account, and only a state in no known format is dropped (and counted).
// There is one real format so far, so "previous" here is synthetic: format 1 without `csatAt`,
// registered through the same API a real format 2 would use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJourneyChangelog, createAccountStore, flushChangelog, putState } from './account-store.ts';
import { at, billing, ev, run } from '../../test/support/journey-test-events.ts';
import { encodeState, serializeState } from './serialize-state.ts';
import { stateFormatRegistry } from './state-format.ts';
import type { StateFormat } from './state-format.ts';
import { JOURNEY_STATE_FORMATS, STATE_FORMATS } from './state-formats.ts';

const CURRENT = JOURNEY_STATE_FORMATS.current;

const PREVIOUS: StateFormat = {
  version: CURRENT.version - 1,
  tag: 'previous',
  fields: CURRENT.fields.filter((field) => field !== 'csatAt'),
  encodings: CURRENT.encodings,
};
/** The previous build had no CSAT time: 0 is what a new account has until its first survey. */
const WITH_PREVIOUS = stateFormatRegistry([
  PREVIOUS,
  { ...CURRENT, fromPrevious: (v) => ({ ...v, csatAt: 0 }) },
]);

/** An account with signup, usage, a ticket and an NPS answer, but no CSAT survey yet. */
const account = () =>
  run(
    [
      ev('Signed Up', 0.1),
      ev('Logged In', 1, { person_id: 'p_1'.padEnd(26, '0') }),
      ev('Created Project', 1.2),
      ev('ticket.created', 2, { source: 'tickets', type: 'ticket', ticket_priority: 'urgent' }),
      ev('survey.nps', 3, { source: 'surveys', score_kind: 'nps', score: 9 }),
    ],
    { until: at(5) },
  ).state;

/** What the previous build wrote: its tag, then its fields' values in its order. */
function writtenInPrevious(state: ReturnType<typeof account>): string {
  const values = encodeState(state);
  return JSON.stringify([PREVIOUS.tag, ...PREVIOUS.fields.map((field) => values[field])]);
}

test('a state written in the previous format restores as the same account', () => {
  const state = account();
  assert.equal(state.csatAt, 0, 'the default the migration fills in');
  const store = createAccountStore();
  applyJourneyChangelog(store, state.key, writtenInPrevious(state), WITH_PREVIOUS);
  const restored = store.states.get(state.key);
  assert.deepEqual(restored, state);
  assert.equal(serializeState(restored!), serializeState(state), 'written back in the current format');
  assert.equal(store.unreadableStates, 0);
});

test('the current format round-trips exactly through the changelog', () => {
  const state = account();
  const writer = createAccountStore();
  putState(writer, state);
  const reader = createAccountStore();
  for (const { key, value } of flushChangelog(writer)) applyJourneyChangelog(reader, key, value);
  assert.deepEqual(reader.states.get(state.key), state);
  assert.equal(reader.unreadableStates, 0);
});

test('a state in an unknown format is dropped and counted', () => {
  const state = account();
  const store = createAccountStore();
  applyJourneyChangelog(store, state.key, serializeState(state));
  // A newer build's format, then one the registry knows but truncated, then not a state at all.
  const unknown = JSON.stringify([CURRENT.version + 1, ...JSON.parse(serializeState(state)).slice(1)]);
  applyJourneyChangelog(store, state.key, unknown);
  assert.equal(store.states.has(state.key), false, 'not kept at its older value');
  applyJourneyChangelog(store, 'acc_2', JSON.stringify([CURRENT.tag, 'acc_2']));
  applyJourneyChangelog(store, 'acc_3', JSON.stringify({ key: 'acc_3' }));
  assert.equal(store.unreadableStates, 3);
  assert.equal(store.states.size, 0);
});

test('the previous format without its migration is unknown, not misread', () => {
  const state = account();
  const store = createAccountStore();
  applyJourneyChangelog(store, state.key, writtenInPrevious(state));
  assert.equal(store.states.has(state.key), false);
  assert.equal(store.unreadableStates, 1);
});

test('a migration that leaves out a field stops the restore instead of resetting accounts', () => {
  const forgetful = stateFormatRegistry([PREVIOUS, { ...CURRENT, fromPrevious: (v) => v }]);
  const store = createAccountStore();
  assert.throws(
    () => applyJourneyChangelog(store, 'acc_1', writtenInPrevious(account()), forgetful),
    /left out csatAt/,
  );
  assert.equal(store.unreadableStates, 0);
});

test('format 1 -> 2 (issue #16): the account-level MRR history becomes the unkeyed series; MRR and history unchanged', () => {
  // Billing events without subscription ids: what an account looked like before subscriptions were kept apart.
  const state = run([
    ev('Signed Up', 0),
    billing('customer.subscription.created', 1, { mrr_cents: 5000, mrr_change_kind: 'new' }),
    billing('customer.subscription.updated', 5, { mrr_cents: 7000, mrr_change_kind: 'expansion' }),
  ]).state;
  assert.equal(state.mrrCents, 7000);
  const [v1] = STATE_FORMATS;
  const values = encodeState(state);
  const written = JSON.stringify([
    v1!.tag,
    ...v1!.fields.map((field) => (field === 'mrrHistory' ? state.mrrHistory : values[field])),
  ]);
  const store = createAccountStore();
  applyJourneyChangelog(store, state.key, written, JOURNEY_STATE_FORMATS);
  assert.deepEqual(store.states.get(state.key), state);
  assert.equal(store.unreadableStates, 0);
});

test('format 2 -> 3: a state written before re-scores could wait has none waiting', () => {
  const state = account();
  assert.deepEqual(state.rescoresDue, []);
  const v2 = STATE_FORMATS[1]!;
  const values = encodeState(state);
  const written = JSON.stringify([v2.tag, ...v2.fields.map((field) => values[field])]);
  const store = createAccountStore();
  applyJourneyChangelog(store, state.key, written, JOURNEY_STATE_FORMATS);
  assert.deepEqual(store.states.get(state.key), state);
  assert.equal(store.rescoresWaiting.size, 0);
  assert.equal(store.unreadableStates, 0);
});
