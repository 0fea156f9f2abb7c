// Versioned, idempotent ClickHouse migrations. Each file in migrations/ (NNNN_name.sql) is applied
// once, in order, and recorded with its checksum in schema_migrations; a changed checksum of an
// applied migration is an error (write a new migration instead). Statements use templates:
//   {db}            the database (validated identifier)
//   {on_cluster}    '' or ON CLUSTER <name>
//   {engine:X(...)} X(...) or, with a cluster, ReplicatedX(...) (default replica path and name)
//   {retention_days} TTL for event-like tables (default 730)
// After the migrations, every metric query is (re)created as a parameterized view (metric-views.ts).
// Run it from one process at a time (the CLI `migrate` command or the one-process run at start):
// two concurrent runs could both apply a pending migration (its statements are IF NOT EXISTS, so
// the effect is the same, but schema_migrations would get two rows for it, collapsed on merge).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import { createMetricViews } from './metric-views.ts';

export interface MigrationOptions {
  database: string;
  cluster?: string | null;
  retentionDays?: number;
  /** Where the NNNN_name.sql files are (default: services/sink/migrations). */
  migrationsDir?: URL;
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_RETENTION_DAYS = 18_250; // 50 years
const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

export function loadMigrations(dir: URL = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(new URL(file, dir), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export function renderMigration(sql: string, options: MigrationOptions): string[] {
  if (!IDENTIFIER.test(options.database))
    throw new Error(`invalid database name ${JSON.stringify(options.database)}`);
  // TTL arithmetic is in DateTime (UInt32, up to 2106): a longer retention would wrap around and
  // expire every row at once.
  const days = options.retentionDays;
  if (days !== undefined && !(Number.isInteger(days) && days > 0 && days <= MAX_RETENTION_DAYS))
    throw new Error(`invalid retention days ${days} (an integer 1..${MAX_RETENTION_DAYS})`);
  if (options.cluster && !IDENTIFIER.test(options.cluster))
    throw new Error(`invalid cluster name ${JSON.stringify(options.cluster)}`);
  const rendered = sql
    .replace(/^--.*$/gm, '')
    .replaceAll('{db}', options.database)
    .replaceAll('{on_cluster}', options.cluster ? `ON CLUSTER ${options.cluster}` : '')
    .replaceAll('{retention_days}', String(options.retentionDays ?? 730))
    .replace(/\{engine:([A-Za-z]+)(\([^)]*\))?\}/g, (_m, engine: string, args: string | undefined) =>
      options.cluster ? `Replicated${engine}${args ?? ''}` : `${engine}${args ?? ''}`,
    );
  return rendered
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export async function migrate(client: ClickHouseClient, options: MigrationOptions): Promise<string[]> {
  const db = options.database;
  const migrations = loadMigrations(options.migrationsDir); // read before touching the server
  for (const statement of renderMigration(
    `CREATE DATABASE IF NOT EXISTS {db} {on_cluster};
     CREATE TABLE IF NOT EXISTS {db}.schema_migrations {on_cluster}
       (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
       ENGINE = {engine:ReplacingMergeTree} ORDER BY version`,
    options,
  )) {
    await client.command({ query: statement });
  }
  const applied = await (
    await client.query({
      query: `SELECT version, checksum FROM ${db}.schema_migrations FINAL`,
      format: 'JSONEachRow',
    })
  ).json<{ version: number; checksum: string }>();
  const appliedBy = new Map(applied.map((row) => [Number(row.version), row.checksum]));
  const done: string[] = [];
  for (const migration of migrations) {
    const previous = appliedBy.get(migration.version);
    if (previous !== undefined) {
      if (previous !== migration.checksum) {
        throw new Error(
          `migration ${migration.name} changed after it was applied (checksum differs); add a new migration instead`,
        );
      }
      continue;
    }
    for (const statement of renderMigration(migration.sql, options))
      await client.command({ query: statement });
    await client.insert({
      table: `${db}.schema_migrations`,
      values: [{ version: migration.version, name: migration.name, checksum: migration.checksum }],
      format: 'JSONEachRow',
    });
    done.push(migration.name);
  }
  await createMetricViews(client, options);
  return done;
}

export interface MigrationState {
  version: number;
  name: string;
  /** applied; pending (not yet applied); changed (applied, but the file differs since). */
  state: 'applied' | 'pending' | 'changed';
  appliedAt: string | null;
}

/** What `journey migrate status` prints: every migration file against schema_migrations, without
 *  changing anything (a database that does not exist yet has every migration pending). */
export async function migrationStatus(
  client: ClickHouseClient,
  options: MigrationOptions,
): Promise<MigrationState[]> {
  if (!IDENTIFIER.test(options.database))
    throw new Error(`invalid database name ${JSON.stringify(options.database)}`);
  const migrations = loadMigrations(options.migrationsDir);
  const [exists] = await (
    await client.query({
      query:
        "SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = 'schema_migrations'",
      query_params: { db: options.database },
      format: 'JSONEachRow',
    })
  ).json<{ n: string }>();
  const applied =
    Number(exists?.n ?? 0) === 0
      ? []
      : await (
          await client.query({
            query: `SELECT version, checksum, toString(applied_at) AS applied_at FROM ${options.database}.schema_migrations FINAL`,
            format: 'JSONEachRow',
          })
        ).json<{ version: number; checksum: string; applied_at: string }>();
  const byVersion = new Map(applied.map((row) => [Number(row.version), row]));
  return migrations.map((m) => {
    const row = byVersion.get(m.version);
    return {
      version: m.version,
      name: m.name,
      state: !row ? 'pending' : row.checksum === m.checksum ? 'applied' : 'changed',
      appliedAt: row?.applied_at ?? null,
    };
  });
}
