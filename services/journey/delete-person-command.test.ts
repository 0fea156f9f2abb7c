// A delete command in the pure pipeline: it returns the erasure (every person id and identifier
// key of the person) for the shell, writes no ClickHouse row that names the person (no is_deleted
// markers, an audit row with the command id only), tombstones the person's journey-state key and
// rewrites the account state that named it (champion, member key) without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CHURN_CONFIG } from '../churn/churn-config.ts';
import { DEFAULT_IDENTITY_CONFIG, createIdentityGraph } from '../identity/identity-core.ts';
import { confluentFrame, journeyEventType } from '../shared/kafka/canonical-codec.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { createAccountStore } from './account-store.ts';
import { memberKey } from './bounded-sets.ts';
import { processIdentityCommands } from './identity-commands-pipeline.ts';
import { b2b, ev } from '../../test/support/journey-test-events.ts';
import { testTopology, rowsOf } from '../../test/support/journey-test-topology.ts';
import { processJourneyBatch } from './journey-pipeline.ts';

const type = journeyEventType();
const ctx = { map: b2b, churn: DEFAULT_CHURN_CONFIG };
const topology = testTopology(null, type);
const message = (offset: number, value: Buffer): ConsumedMessage => ({
  topic: 't',
  partition: 0,
  offset: String(offset),
  key: null,
  value,
  headers: {},
  timestampMs: 0,
});
const user = (name: string, day: number, userId: string, anonymousId: string | null = null) => {
  const e = ev(name, day, { person_id: null, account_id: null });
  return { ...e, ids: { ...e.ids, user_id: userId, anonymous_id: anonymousId } };
};

test('delete: the erasure for the shell, no row naming the person, account state without it', () => {
  const state = { graph: createIdentityGraph(), accounts: createAccountStore() };
  const events = [user('Signed Up', 0, 'gone', 'anon-gone'), user('Logged In', 1, 'keep')];
  const now = Date.UTC(2026, 0, 10);
  const stored = processJourneyBatch(
    events.map((e, i) => message(i, confluentFrame(7, type.toBuffer(e)))),
    state,
    topology,
    DEFAULT_IDENTITY_CONFIG,
    ctx,
    now,
  );
  const rows = rowsOf(stored).get('journey_events') as Array<{
    person_id: string;
    user_id: string;
    account_id: string;
  }>;
  const person = rows.find((r) => r.user_id === 'gone')!.person_id;
  const accountId = rows[0]!.account_id;
  const account = state.accounts.states.get(accountId)!;
  assert.equal(account.champion, person, 'the person signed up: it is the champion');
  assert.ok(memberKey(person) in account.members);

  const body = JSON.stringify({ command: 'delete', command_id: 'cmd-1', person_id: person });
  const result = processIdentityCommands([message(0, Buffer.from(body))], state, topology, ctx, now);

  assert.equal(result.erasures.length, 1);
  assert.ok(result.erasures[0]!.person_ids.includes(person));
  assert.deepEqual(result.erasures[0]!.identifier_keys, ['a:anon-gone', 'u:gone']);
  assert.equal(rowsOf(result).get('identity_map'), undefined, 'no is_deleted marker naming its keys');
  assert.equal(rowsOf(result).get('person_overrides'), undefined);
  assert.deepEqual(
    (
      rowsOf(result).get('identity_changes') as Array<{ kind: string; person_id: string; event_id: string }>
    ).map((r) => [r.kind, r.person_id, r.event_id]),
    [['deletion', '', 'cmd-1']],
  );
  const changelog = new Map(
    result.changelog
      .filter((c) => c.topic === 'journey-changelog')
      .map((c) => [c.key, c.value === null ? null : String(c.value)]),
  );
  const after = changelog.get(accountId);
  assert.ok(after, 'the account state is rewritten');
  assert.ok(!after.includes(person) && !after.includes(memberKey(person)), String(after));
  assert.ok(
    after.includes(memberKey(rows.find((r) => r.user_id === 'keep')!.person_id)),
    'the other member stays',
  );
  assert.equal(state.accounts.removed.has(person), false, 'no account_state marker row will name it');
});

test('a force-merge then a delete in one batch: the merge rows naming the person are left out', () => {
  const state = { graph: createIdentityGraph(), accounts: createAccountStore() };
  const now = Date.UTC(2026, 0, 10);
  const stored = processJourneyBatch(
    [user('Signed Up', 0, 'one'), user('Logged In', 1, 'two')].map((e, i) =>
      message(i, confluentFrame(7, type.toBuffer(e))),
    ),
    state,
    topology,
    DEFAULT_IDENTITY_CONFIG,
    ctx,
    now,
  );
  const [a, b] = (rowsOf(stored).get('journey_events') as Array<{ person_id: string }>).map(
    (r) => r.person_id,
  );
  const commands = [
    { command: 'force-merge', command_id: 'c1', person_id: a, other_person_id: b },
    { command: 'delete', command_id: 'c2', person_id: a },
  ].map((c, i) => message(i, Buffer.from(JSON.stringify(c))));
  const result = processIdentityCommands(commands, state, topology, ctx, now);
  assert.deepEqual(
    result.outcomes.map((o) => o.outcome),
    ['applied', 'applied'],
  );
  const written = JSON.stringify([...rowsOf(result).values()]);
  for (const id of [a!, b!, 'u:one', 'u:two']) assert.ok(!written.includes(id), `${id} in ${written}`);
});
