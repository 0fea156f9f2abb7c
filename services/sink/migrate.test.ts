// Migrations on the real ClickHouse engine (chdb): applied once, in order, with checksums; a
// second run is a no-op; an edited applied migration is refused; a new one is applied alone. The
// ON CLUSTER / Replicated rendering is checked on the text (no cluster in-process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createChdbTestClient } from '../../test/support/chdb-test-client.ts';
import { loadMigrations, migrate, migrationStatus, renderMigration } from './migrate.ts';
import { metricQueries } from './metric-queries.ts';
import { metricViewName } from './metric-views.ts';

const client = createChdbTestClient();
const rows = async <T>(query: string): Promise<T[]> =>
  (await client.query({ query, format: 'JSONEachRow' })).json<T>();

const TABLES = [
  'journey_events',
  'identity_map',
  'person_overrides',
  'accounts',
  'identity_changes',
  'dlq_events',
  'stage_transitions',
  'journey_signals',
  'account_state',
  'churn_scores',
  'churn_alerts',
  'churn_outcomes',
  'account_activity_daily',
  'schema_migrations',
];
const VIEWS = [
  'journey_events_resolved',
  'account_state_latest',
  'churn_scores_latest',
  'identity_merges',
  'account_activity_daily_mv',
  'account_mrr_changes',
];

test('migrate applies every migration once and records its checksum; a second run is a no-op', async () => {
  const all = loadMigrations();
  assert.deepEqual(
    await migrate(client, { database: 'm1' }),
    all.map((m) => m.name),
  );
  assert.deepEqual(await migrate(client, { database: 'm1' }), []);
  const recorded = await rows<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM m1.schema_migrations ORDER BY version',
  );
  assert.deepEqual(
    recorded,
    all.map((m) => ({ version: m.version, checksum: m.checksum })),
  );
  const names = (
    await rows<{ name: string }>("SELECT name FROM system.tables WHERE database = 'm1' ORDER BY name")
  ).map((r) => r.name);
  // …and every metric query as a parameterized view (metric-views.ts).
  const metricViews = [...metricQueries().values()].map(metricViewName);
  assert.deepEqual(names, [...TABLES, ...VIEWS, ...metricViews].sort());
});

// schema_migrations is written by migrate() alone, without dedup tokens.
test('MergeTree tables keep a non-replicated dedup window (insert_deduplication_token needs it)', async () => {
  await migrate(client, { database: 'm2' });
  const withoutWindow = await rows<{ name: string }>(
    "SELECT name FROM system.tables WHERE database = 'm2' AND engine LIKE '%MergeTree' AND name != 'schema_migrations' AND create_table_query NOT LIKE '%non_replicated_deduplication_window = 10000%'",
  );
  assert.deepEqual(withoutWindow, []);
});

test('an applied migration that changed is refused; a new one is applied alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  cpSync(new URL('./migrations/', import.meta.url), dir, { recursive: true });
  const migrationsDir = pathToFileURL(`${dir}/`);
  await migrate(client, { database: 'm3', migrationsDir });
  writeFileSync(
    join(dir, '0099_extra.sql'),
    'CREATE TABLE IF NOT EXISTS {db}.extra {on_cluster} (x UInt8) ENGINE = {engine:MergeTree} ORDER BY x;\n',
  );
  assert.deepEqual(await migrate(client, { database: 'm3', migrationsDir }), ['0099_extra']);
  appendFileSync(join(dir, '0001_events_and_identity.sql'), '\n-- edited\n');
  await assert.rejects(
    migrate(client, { database: 'm3', migrationsDir }),
    /0001_events_and_identity changed after it was applied/,
  );
});

test('with a cluster: ON CLUSTER everywhere and Replicated engines keep their arguments', () => {
  const sql = loadMigrations()
    .map((m) => m.sql)
    .join(';\n');
  const statements = renderMigration(sql, { database: 'journey', cluster: 'analytics', retentionDays: 90 });
  for (const statement of statements) assert.match(statement, /ON CLUSTER analytics/, statement.slice(0, 80));
  const text = statements.join('\n');
  assert.match(text, /ENGINE = ReplicatedReplacingMergeTree\(version, is_deleted\)/);
  assert.match(text, /ENGINE = ReplicatedAggregatingMergeTree/);
  assert.match(text, /INTERVAL 90 DAY/);
  assert.doesNotMatch(text, /ENGINE = (ReplacingMergeTree|MergeTree|AggregatingMergeTree)\b/);
  assert.doesNotMatch(text, /\{(db|on_cluster|engine|retention_days)/);
  const local = renderMigration(sql, { database: 'journey' }).join('\n');
  assert.match(local, /INTERVAL 730 DAY/);
  assert.doesNotMatch(local, /ON CLUSTER|Replicated/);
});

test('database, cluster and retention come only from validated config', () => {
  assert.throws(() => renderMigration('SELECT 1', { database: 'x; DROP TABLE y' }), /invalid database name/);
  assert.throws(
    () => renderMigration('SELECT 1', { database: 'ok', cluster: 'c1 --' }),
    /invalid cluster name/,
  );
  assert.throws(
    () => renderMigration('SELECT 1', { database: 'ok', retentionDays: 0 }),
    /invalid retention days/,
  );
});

test('migrate status: all pending before, all applied after, a new file pending, an edited one changed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-status-'));
  cpSync(new URL('./migrations/', import.meta.url), dir, { recursive: true });
  const migrationsDir = pathToFileURL(`${dir}/`);
  const states = async () =>
    (await migrationStatus(client, { database: 'm_status', migrationsDir })).map(
      (m) => `${m.name}:${m.state}`,
    );
  const names = loadMigrations().map((m) => m.name);
  assert.deepEqual(
    await states(),
    names.map((n) => `${n}:pending`),
  );
  await migrate(client, { database: 'm_status', migrationsDir });
  assert.deepEqual(
    await states(),
    names.map((n) => `${n}:applied`),
  );
  writeFileSync(join(dir, '0099_extra.sql'), 'SELECT 1;\n');
  appendFileSync(join(dir, `${names[0]}.sql`), '\n-- edited\n');
  const after = await states();
  assert.equal(after[0], `${names[0]}:changed`);
  assert.equal(after.at(-1), '0099_extra:pending');
});
