// The local ClickHouse HTTP front must behave, for @clickhouse/client, like a real server:
// ping, command, insert (JSONEachRow), query with query_params, dedup tokens, and server errors
// carrying ClickHouse's code and message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';

let child: ChildProcess;
let client: ClickHouseClient;
let dataDir: string;
let url: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'chdb-front-test-'));
  child = spawn(process.execPath, [join(import.meta.dirname, 'server.ts')], {
    env: { ...process.env, CHDB_DATA_DIR: dataDir, CHDB_HTTP_PORT: '0', CHDB_HTTP_PASSWORD: 's3cret' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const { port } = JSON.parse(line.toString()) as { port: number };
  url = `http://127.0.0.1:${port}`;
  client = createClient({ url, username: 'default', password: 's3cret' });
});

after(async () => {
  await client?.close();
  child?.kill('SIGTERM');
  if (child) await once(child, 'exit');
  rmSync(dataDir, { recursive: true, force: true });
});

test('ping answers', async () => {
  const result = await client.ping();
  assert.equal(result.success, true);
});

test('command, insert JSONEachRow and query with query_params round-trip typed values', async () => {
  await client.command({
    query: `CREATE TABLE front_events (id String, kind LowCardinality(String), at DateTime64(3, 'UTC'), n UInt32)
            ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100`,
  });
  await client.insert({
    table: 'front_events',
    values: [
      { id: 'a', kind: 'track', at: '2024-05-01 10:00:00.123', n: 1 },
      { id: 'b', kind: 'page', at: '2024-05-02 11:00:00.456', n: 2 },
    ],
    format: 'JSONEachRow',
  });
  const rows = await (
    await client.query({
      query:
        'SELECT id, kind, toString(at) AS at, n FROM front_events WHERE kind = {kind:String} AND n >= {min:UInt32}',
      query_params: { kind: 'page', min: 2 },
      format: 'JSONEachRow',
    })
  ).json();
  assert.deepEqual(rows, [{ id: 'b', kind: 'page', at: '2024-05-02 11:00:00.456', n: 2 }]);
});

test('string parameters with tabs, newlines and quotes arrive intact (no SQL built from strings)', async () => {
  const tricky = "it's a\ttab\nand 'quotes'; DROP TABLE front_events --";
  const rows = await (
    await client.query({
      query: 'SELECT {s:String} AS s',
      query_params: { s: tricky },
      format: 'JSONEachRow',
    })
  ).json<{ s: string }>();
  assert.equal(rows[0]?.s, tricky);
});

test('the same batch inserted twice with one insert_deduplication_token is stored once', async () => {
  await client.command({
    query: `CREATE TABLE front_dedup (id UInt64) ENGINE = MergeTree ORDER BY id
            SETTINGS non_replicated_deduplication_window = 100`,
  });
  const values = [{ id: 1 }, { id: 2 }, { id: 3 }];
  for (let i = 0; i < 2; i++) {
    await client.insert({
      table: 'front_dedup',
      values,
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: 'topic:0:10-12' },
    });
  }
  // A different token is a different batch; a later insert without a token is not deduplicated
  // by a token left over from an earlier request.
  await client.insert({
    table: 'front_dedup',
    values,
    format: 'JSONEachRow',
    clickhouse_settings: { insert_deduplication_token: 'topic:0:13-15' },
  });
  await client.insert({ table: 'front_dedup', values: [{ id: 9 }], format: 'JSONEachRow' });
  const [row] = await (
    await client.query({ query: 'SELECT count() AS c FROM front_dedup', format: 'JSONEachRow' })
  ).json<{ c: string }>();
  assert.equal(row?.c, '7');
});

test('server errors carry the ClickHouse code, type and message', async () => {
  await assert.rejects(
    client.query({ query: 'SELECT * FROM no_such_table' }),
    (err: Error & { code?: string; type?: string }) => {
      assert.equal(err.code, '60');
      assert.equal(err.type, 'UNKNOWN_TABLE');
      assert.match(err.message, /no_such_table/);
      return true;
    },
  );
  await assert.rejects(client.command({ query: 'SELEC 1' }), (err: Error & { code?: string }) => {
    assert.equal(err.code, '62');
    return true;
  });
});

test('wrong credentials are refused with AUTHENTICATION_FAILED', async () => {
  const wrong = createClient({ url, username: 'default', password: 'nope' });
  try {
    await assert.rejects(wrong.query({ query: 'SELECT 1' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, '516');
      return true;
    });
  } finally {
    await wrong.close();
  }
});
