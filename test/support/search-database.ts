// Searches every table and view of a test database for values: each column whose type holds
// strings (String, LowCardinality/Nullable String, Array/Map/Tuple of them) is read as text and
// matched by substring against the values, passed as one query parameter. Column and table names
// come from system tables and are interpolated only after matching a plain identifier.
// Aggregate-function states (binary) are not text and are left to the caller.
import type { ClickHouseClient } from '@clickhouse/client';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface Hit {
  table: string;
  column: string;
  rows: number;
}

export async function searchDatabase(
  client: ClickHouseClient,
  database: string,
  values: readonly string[],
): Promise<{ hits: Hit[]; columnsSearched: number; tables: string[] }> {
  const read = async <T>(query: string, params: Record<string, unknown>): Promise<T[]> =>
    (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
  const tables = await read<{ name: string; engine: string }>(
    'SELECT name, engine FROM system.tables WHERE database = {db:String} ORDER BY name',
    { db: database },
  );
  const columns = await read<{ table: string; name: string; type: string }>(
    'SELECT table, name, type FROM system.columns WHERE database = {db:String} ORDER BY table, position',
    { db: database },
  );
  const hits: Hit[] = [];
  let columnsSearched = 0;
  if (!IDENTIFIER.test(database)) throw new Error(`unexpected database name ${database}`);
  for (const { name: table, engine } of tables) {
    // A materialized view with TO stores nothing itself: its target table is searched.
    if (engine === 'MaterializedView') continue;
    if (!IDENTIFIER.test(table)) throw new Error(`unexpected table name ${table}`);
    const textColumns = columns
      .filter(
        (c) => c.table === table && c.type.includes('String') && !c.type.startsWith('AggregateFunction'),
      )
      .map((c) => c.name);
    for (const column of textColumns) {
      if (!IDENTIFIER.test(column)) throw new Error(`unexpected column name ${table}.${column}`);
      columnsSearched++;
      const [row] = await read<{ n: string }>(
        `SELECT count() AS n FROM ${database}.${table} WHERE multiSearchAny(toString(${column}), {values:Array(String)})`,
        { values },
      );
      if (Number(row?.n ?? 0) > 0) hits.push({ table, column, rows: Number(row!.n) });
    }
  }
  return { hits, columnsSearched, tables: tables.map((t) => t.name) };
}
