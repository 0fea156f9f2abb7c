// The writer on the real ClickHouse engine (chdb): a redelivered batch (same origin) is stored once,
// in the tables and in the materialized view behind them; a new batch is not swallowed; retryable
// faults back off and end in ClickHouseUnavailableError; permanent faults throw at once.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClickHouseClient } from '@clickhouse/client';
import { createChdbTestClient } from '../../test/support/chdb-test-client.ts';
import { migrate } from './migrate.ts';
import { backoffMs, dedupToken, writeBatch, writeRows } from './write-rows.ts';
import type { BatchOrigin } from './write-rows.ts';
import { ClickHouseRejectedError, ClickHouseUnavailableError, RETRYABLE_CODES } from './clickhouse-errors.ts';
import { journeyEventRow } from './rows/event-rows.ts';
import { fixtureEvent } from '../../test/fixtures/metrics-fixture.ts';

const client = createChdbTestClient();
const database = 'writer';
const origin: BatchOrigin = { topic: 'canonical', partition: 3, firstOffset: '10', lastOffset: '11' };
const one = async (query: string): Promise<number> =>
  Number((await (await client.query({ query, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n);
const counts = async (): Promise<[number, number, number]> => [
  await one(`SELECT count() AS n FROM ${database}.journey_events`),
  await one(`SELECT sum(events) AS n FROM ${database}.account_activity_daily`),
  await one(`SELECT count() AS n FROM ${database}.dlq_events`),
];

before(async () => {
  await migrate(client, { database });
});

test('the dedup token names topic, partition, offset range and table', () => {
  assert.equal(dedupToken(origin, 'journey_events'), 'canonical:3:10-11:journey_events');
  assert.deepEqual(
    [0, 1, 2, 10, 20].map((a) => backoffMs(a)),
    [100, 200, 400, 30_000, 30_000],
  );
});

test('a redelivered batch is stored once (tables and the activity view); the next batch is stored', async () => {
  const batch = new Map<string, object[]>([
    [
      'journey_events',
      [
        journeyEventRow(fixtureEvent('p1', 'a1', 'Logged In', '2026-03-01 10:00')),
        journeyEventRow(fixtureEvent('p2', 'a1', 'Logged In', '2026-03-01 11:00')),
      ],
    ],
    [
      'dlq_events',
      [
        {
          reason: 'invalid_json',
          step: 'decodeMessageStep',
          detail: '',
          source_topic: 'behavior',
          source_partition: 0,
          source_offset: '7',
          schema_id: null,
          message_key: 'k',
          message_bytes: 3,
          dead_lettered_at: '2026-03-01T10:00:00.000Z',
        },
      ],
    ],
  ]);
  await writeBatch(client, batch, { database, origin });
  assert.deepEqual(await counts(), [2, 2, 1]);
  await writeBatch(client, batch, { database, origin });
  await writeRows(client, batch, origin, { database });
  assert.deepEqual(await counts(), [2, 2, 1]);
  const next = new Map([
    ['journey_events', [journeyEventRow(fixtureEvent('p1', 'a1', 'Logged In', '2026-03-02 10:00'))]],
  ]);
  await writeBatch(client, next, { database, origin: { ...origin, firstOffset: '12', lastOffset: '12' } });
  assert.deepEqual(await counts(), [3, 3, 1]);
});

test("the retryable codes are the server's own names for them", async () => {
  const codes = [...RETRYABLE_CODES.keys()];
  const [row] = await (
    await client.query({
      query: 'SELECT arrayMap(c -> errorCodeToName(c), {codes:Array(UInt32)}) AS names',
      query_params: { codes },
      format: 'JSONEachRow',
    })
  ).json<{ names: string[] }>();
  assert.deepEqual(row?.names, [...RETRYABLE_CODES.values()]);
});

test('a real permanent error from the engine throws ClickHouseRejectedError without retrying', async () => {
  const slept: number[] = [];
  const sleep = async (ms: number): Promise<void> => void slept.push(ms);
  await assert.rejects(
    writeBatch(client, new Map([['no_such_table', [{ a: 1 }]]]), { database, origin, sleep }),
    (err: unknown) => err instanceof ClickHouseRejectedError && err.code === 60,
  );
  const bad = new Map([
    [
      'journey_events',
      [{ ...journeyEventRow(fixtureEvent('p', 'a', 'x', '2026-03-01 10:00')), event_time: 'not a time' }],
    ],
  ]);
  await assert.rejects(
    writeBatch(client, bad, { database, origin: { ...origin, firstOffset: '99' }, sleep }),
    (err: unknown) => err instanceof ClickHouseRejectedError && typeof err.code === 'number',
  );
  assert.deepEqual(slept, []);
});

function scripted(failures: unknown[]): { client: ClickHouseClient; calls: () => number } {
  let calls = 0;
  const fake = {
    insert: async () => {
      const failure = failures[calls++];
      if (failure) throw failure;
      return {};
    },
  };
  return { client: fake as unknown as ClickHouseClient, calls: () => calls };
}
const coded = (code: string): Error => Object.assign(new Error(`code ${code}`), { code });

test('retryable faults back off exponentially, then succeed', async () => {
  const fake = scripted([coded('252'), coded('ECONNRESET'), coded('319')]);
  const slept: number[] = [];
  await writeBatch(fake.client, new Map([['t', [{ a: 1 }]]]), {
    database,
    origin,
    sleep: async (ms) => void slept.push(ms),
  });
  assert.equal(fake.calls(), 4);
  assert.deepEqual(slept, [100, 200, 400]);
});

test('after the retry budget: ClickHouseUnavailableError (the shell crashes without committing)', async () => {
  const fake = scripted(Array.from({ length: 10 }, () => coded('210')));
  await assert.rejects(
    writeBatch(fake.client, new Map([['t', [{ a: 1 }]]]), {
      database,
      origin,
      retries: 3,
      sleep: async () => undefined,
    }),
    (err: unknown) => err instanceof ClickHouseUnavailableError && err.attempts === 4 && err.table === 't',
  );
  assert.equal(fake.calls(), 4);
});

test('a permanent fault is not retried, and the tables after a failed `first` wave are not written', async () => {
  const fake = scripted([coded('62')]);
  await assert.rejects(
    writeBatch(
      fake.client,
      new Map([
        ['t', [{ a: 1 }]],
        ['u', [{ b: 2 }]],
      ]),
      { database, origin, sleep: async () => undefined, first: new Set(['t']) },
    ),
    ClickHouseRejectedError,
  );
  assert.equal(fake.calls(), 1);
  await assert.rejects(
    writeBatch(fake.client, new Map([['t; DROP', [{ a: 1 }]]]), { database, origin }),
    /invalid table name/,
  );
});

test('the `first` tables are stored before the others start; each wave inserts concurrently', async () => {
  const log: string[] = [];
  const fake = {
    insert: async ({ table }: { table: string }) => {
      log.push(`start ${table}`);
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`end ${table}`);
      return {};
    },
  } as unknown as ClickHouseClient;
  await writeBatch(
    fake,
    new Map([
      ['events', [{ a: 1 }]],
      ['identity', [{ b: 2 }]],
      ['people', [{ c: 3 }]],
      ['states', [{ d: 4 }]],
    ]),
    { database, origin, first: new Set(['identity', 'people']) },
  );
  assert.deepEqual(
    log.map((l) => l.replace(`${database}.`, '')),
    [
      'start identity',
      'start people',
      'end identity',
      'end people',
      'start events',
      'start states',
      'end events',
      'end states',
    ],
  );
});
