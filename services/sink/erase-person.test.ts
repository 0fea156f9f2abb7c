// The erasure on the real ClickHouse engine (chdb): rows of the deleted person go from every table
// that can name it, by person id or by identifier; another person's rows stay; the activity
// rollup is rebuilt without the person's events; a repeated erasure changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createChdbTestClient } from '../../test/support/chdb-test-client.ts';
import { migrate } from './migrate.ts';
import { ERASE_WHERE, erasePersons } from './erase-person.ts';
import type { PersonErasure } from '../identity/person-erasure.ts';

const client = createChdbTestClient();
const db = 'erase1';
const insert = (table: string, values: object[]) =>
  client.insert({ table: `${db}.${table}`, values, format: 'JSONEachRow' });
const count = async (query: string): Promise<number> =>
  Number(
    ((await (await client.query({ query, format: 'JSONEachRow' })).json<{ c: string }>())[0] as { c: string })
      .c,
  );

const erasure: PersonErasure = {
  command_id: 'cmd-1',
  person_ids: ['p_gone', 'p_gone_anon'],
  identifier_keys: ['a:anon-gone', 'e:hash-gone', 'u:user-gone'],
};

const event = (id: string, person: string, ids: Record<string, string> = {}) => ({
  event_id: id,
  source: 'behavior',
  type: 'track',
  name: 'X',
  event_time: '2026-11-01 09:00:00.000',
  received_time: '2026-11-01 09:00:00.000',
  person_id: person,
  account_id: 'acc_1',
  properties: '{}',
  ...ids,
});

test('erasePersons removes the person everywhere and keeps the others', async () => {
  await migrate(client, { database: db });
  await insert('journey_events', [
    event('e1', 'p_gone'),
    event('e2', 'p_other_store', { user_id: 'user-gone' }), // stored under an id the graph no longer knows
    event('e3', 'p_keep', { user_id: 'user-keep' }),
  ]);
  await insert('identity_map', [
    { identifier_key: 'u:user-gone', person_id: 'p_gone', version: 1, is_deleted: 0 },
    { identifier_key: 'u:user-keep', person_id: 'p_keep', version: 1, is_deleted: 0 },
  ]);
  await insert('person_overrides', [
    { old_person_id: 'p_gone_anon', person_id: 'p_gone', version: 1, is_deleted: 0 },
    { old_person_id: 'p_keep_anon', person_id: 'p_keep', version: 1, is_deleted: 0 },
  ]);
  await insert('identity_changes', [
    {
      kind: 'merge',
      reason: 'identify',
      person_id: 'p_keep',
      other_person_id: 'p_gone',
      event_id: 'x',
      at: '2026-11-01 09:00:00',
    },
    {
      kind: 'merge',
      reason: 'identify',
      person_id: 'p_keep',
      other_person_id: 'p_k2',
      event_id: 'y',
      at: '2026-11-01 09:00:00',
    },
  ]);
  for (const table of [
    'account_state',
    'stage_transitions',
    'journey_signals',
    'churn_scores',
    'churn_alerts',
    'churn_outcomes',
  ])
    // A recent time: rows past the tables' TTL are dropped on insert.
    await insert(
      table,
      ['p_gone', 'acc_1'].map((k) => ({ account_key: k, scored_at: '2026-11-01 09:00:00' })),
    );
  await insert('dlq_events', [
    {
      reason: 'r',
      step: 's',
      detail: 'bad email_hash hash-gone',
      source_topic: 't',
      source_offset: 1,
      message_key: 'k',
      dead_lettered_at: '2026-11-01 09:00:00',
    },
    {
      reason: 'r',
      step: 's',
      detail: '',
      source_topic: 't',
      source_offset: 2,
      message_key: 'anon-gone',
      dead_lettered_at: '2026-11-01 09:00:00',
    },
    {
      reason: 'r',
      step: 's',
      detail: 'other',
      source_topic: 't',
      source_offset: 3,
      message_key: 'anon-keep',
      dead_lettered_at: '2026-11-01 09:00:00',
    },
  ]);
  const rollup = `SELECT sum(events) AS c FROM ${db}.account_activity_daily`;
  const persons = `SELECT uniqExactMerge(persons) AS c FROM ${db}.account_activity_daily`;
  assert.equal(await count(rollup), 3);
  assert.equal(await count(persons), 3);

  await erasePersons(client, db, [erasure]);
  await erasePersons(client, db, [erasure]); // a retried batch erases again: nothing changes

  const left = async (table: string) => count(`SELECT count() AS c FROM ${db}.${table}`);
  assert.equal(await left('journey_events'), 1, 'by person id and by user id');
  assert.equal(await left('identity_map'), 1);
  assert.equal(await left('person_overrides'), 1);
  assert.equal(await left('identity_changes'), 1, 'merge history naming the person');
  for (const table of [
    'account_state',
    'stage_transitions',
    'journey_signals',
    'churn_scores',
    'churn_alerts',
    'churn_outcomes',
  ])
    assert.equal(await left(table), 1, `${table}: only the account's row is left`);
  assert.equal(await left('dlq_events'), 1, 'by message key and by detail');
  assert.equal(await count(rollup), 1, 'rollup rebuilt from the events left');
  assert.equal(await count(persons), 1);
  assert.equal(ERASE_WHERE.length, 11);
});
