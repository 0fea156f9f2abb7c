// Migrations and the writer on the real ClickHouse engine (chdb, in-process): migrations are
// idempotent; a redelivered batch (same origin, same rows) does not double-count; a retryable
// fault is retried and a permanent one is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import { migrate } from './migrate.ts';
import { writeRows } from './write-rows.ts';
import { classifyClickHouseError } from './clickhouse-errors.ts';
import { journeyEventRow } from '../journey/journey-event-row.ts';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';

const client = createClickHouse(
  {
    CLICKHOUSE_URL: `chdb:${mkdtempSync(join(tmpdir(), 'sink-test-'))}`,
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: undefined,
    CLICKHOUSE_CA_FILE: undefined,
    CLICKHOUSE_DATABASE: 'journey',
  },
  { database: null },
);

function event(id: string, name: string): JourneyEvent {
  return {
    event_id: id,
    source: 'behavior',
    type: 'track',
    name,
    event_time: Date.parse('2026-03-01T10:00:00.123Z'),
    received_time: Date.parse('2026-03-01T10:00:01Z'),
    ids: {
      anonymous_id: null,
      user_id: 'u1',
      email_hash: null,
      email: null,
      device_id: null,
      account_id: 'a1',
      billing_customer_id: null,
      crm_id: null,
      ticket_requester_id: null,
      previous_id: null,
    },
    channel: 'email',
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
    properties_json: '{"plan":"team"}',
    person_id: 'p_1',
    account_id: 'acc_1',
  };
}

const count = async (query: string): Promise<number> =>
  Number((await (await client.query({ query, format: 'JSONEachRow' })).json<{ c: string }>())[0]?.c);

test('migrations apply once and are idempotent', async () => {
  const first = await migrate(client, { database: 'journey' });
  assert.ok(first.includes('0001_events_and_identity'));
  assert.deepEqual(await migrate(client, { database: 'journey' }), []);
  assert.equal(
    await count(
      "SELECT count() AS c FROM system.tables WHERE database = 'journey' AND name = 'journey_events'",
    ),
    1,
  );
});

test('a redelivered batch is stored once; another batch is not swallowed', async () => {
  const rows = new Map([
    [
      'journey_events',
      [journeyEventRow(event('e1', 'Signed Up')), journeyEventRow(event('e2', 'Logged In'))],
    ],
  ]);
  const origin = { topic: 'canonical', partition: 0, firstOffset: '10', lastOffset: '11' };
  await writeRows(client, rows, origin, { database: 'journey' });
  await writeRows(client, rows, origin, { database: 'journey' });
  assert.equal(await count('SELECT count() AS c FROM journey.journey_events'), 2);
  await writeRows(
    client,
    new Map([['journey_events', [journeyEventRow(event('e3', 'Logged In'))]]]),
    { ...origin, firstOffset: '12', lastOffset: '12' },
    { database: 'journey' },
  );
  assert.equal(await count('SELECT count() AS c FROM journey.journey_events'), 3);
  const [row] = await (
    await client.query({
      query: "SELECT toString(event_time) AS t, properties FROM journey.journey_events WHERE event_id = 'e1'",
      format: 'JSONEachRow',
    })
  ).json<{ t: string; properties: string }>();
  assert.deepEqual(row, { t: '2026-03-01 10:00:00.123', properties: '{"plan":"team"}' });
});

test('retryable faults are retried with backoff, permanent ones are thrown at once', async () => {
  let calls = 0;
  const flaky = {
    insert: async () => {
      calls++;
      if (calls < 3) throw Object.assign(new Error('Too many parts'), { code: '252' });
      return {};
    },
  } as unknown as typeof client;
  const slept: number[] = [];
  await writeRows(
    flaky,
    new Map([['t', [{ a: 1 }]]]),
    { topic: 'x', partition: 0, firstOffset: '0', lastOffset: '0' },
    { database: 'd', sleep: async (ms) => void slept.push(ms) },
  );
  assert.equal(calls, 3);
  assert.deepEqual(slept, [100, 200]);
  const broken = {
    insert: async () => {
      throw Object.assign(new Error('Unknown table'), { code: '60' });
    },
  } as unknown as typeof client;
  await assert.rejects(
    writeRows(
      broken,
      new Map([['t', [{ a: 1 }]]]),
      { topic: 'x', partition: 0, firstOffset: '0', lastOffset: '0' },
      { database: 'd', sleep: async () => undefined },
    ),
    /Unknown table/,
  );
  assert.equal(classifyClickHouseError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), 'retryable');
  assert.equal(classifyClickHouseError(Object.assign(new Error('x'), { code: '62' })), 'permanent');
});
