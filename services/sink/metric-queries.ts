// The registry of documented metric queries (SPEC §4). Each queries/<name>.sql declares its
// parameters in a header — `-- @param <name> <ClickHouse type> = <JSON default>` — and uses them
// as server-side query parameters ({name:Type}); values never enter the SQL text. The only text
// substitution is {db}, a regex-checked identifier from config. `cut` picks the dimension rows are
// grouped by: all, segment, plan, channel or cohort.
import { readFileSync, readdirSync } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';

export type MetricParamValue = string | number | boolean | Date | ReadonlyArray<string | number>;

export interface MetricParam {
  name: string;
  type: string;
  default: MetricParamValue;
}

export interface MetricQuery {
  name: string;
  description: string;
  params: MetricParam[];
  sql: string;
}

export const CUTS = ['all', 'segment', 'plan', 'channel', 'cohort'] as const;
export type Cut = (typeof CUTS)[number];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const QUERIES_DIR = new URL('./queries/', import.meta.url);
const PARAM_LINE = /^-- @param (\w+) (\S+(?:\(\d+\))?) = (.+)$/;

export function parseMetricQuery(name: string, text: string): MetricQuery {
  const lines = text.split('\n');
  const description = lines
    .filter((l) => l.startsWith('-- @description '))
    .map((l) => l.slice('-- @description '.length))
    .join(' ');
  const params: MetricParam[] = [];
  for (const line of lines) {
    if (!line.startsWith('-- @param ')) continue;
    const match = PARAM_LINE.exec(line);
    if (!match) throw new Error(`${name}.sql: malformed parameter line ${JSON.stringify(line)}`);
    params.push({ name: match[1]!, type: match[2]!, default: JSON.parse(match[3]!) as MetricParamValue });
  }
  const sql = lines.filter((l) => !l.startsWith('--')).join('\n');
  const used = new Set([...sql.matchAll(/\{(\w+):/g)].map((m) => m[1]!));
  const declared = new Set(params.map((p) => p.name));
  for (const p of used) if (!declared.has(p)) throw new Error(`${name}.sql: parameter ${p} is not declared`);
  for (const p of declared)
    if (!used.has(p)) throw new Error(`${name}.sql: parameter ${p} is declared but unused`);
  if (!description) throw new Error(`${name}.sql: missing -- @description`);
  return { name, description, params, sql };
}

export function loadMetricQueries(dir: URL = QUERIES_DIR): Map<string, MetricQuery> {
  const queries = new Map<string, MetricQuery>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    const name = file.slice(0, -'.sql'.length);
    queries.set(name, parseMetricQuery(name, readFileSync(new URL(file, dir), 'utf8')));
  }
  return queries;
}

let registry: Map<string, MetricQuery> | undefined;
/** The queries shipped in services/sink/queries (read once). */
export function metricQueries(): Map<string, MetricQuery> {
  registry ??= loadMetricQueries();
  return registry;
}

const clickHouseDateTime = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');

/** Merges `params` over the defaults; rejects unknown names and unknown cuts. */
export function bindMetricParams(
  query: MetricQuery,
  params: Readonly<Record<string, MetricParamValue>>,
): Record<string, unknown> {
  const known = new Map(query.params.map((p) => [p.name, p]));
  for (const name of Object.keys(params))
    if (!known.has(name)) throw new Error(`metric ${query.name} has no parameter ${name}`);
  const bound: Record<string, unknown> = {};
  for (const p of query.params) {
    const value = params[p.name] ?? p.default;
    bound[p.name] = value instanceof Date ? clickHouseDateTime(value) : value;
  }
  if ('cut' in bound && !(CUTS as readonly unknown[]).includes(bound.cut))
    throw new Error(`metric ${query.name}: cut must be one of ${CUTS.join(', ')}`);
  if ('entity' in bound && bound.entity !== 'account' && bound.entity !== 'person')
    throw new Error(`metric ${query.name}: entity must be account or person`);
  return bound;
}

export async function runMetricQuery<Row = Record<string, unknown>>(
  client: ClickHouseClient,
  name: string,
  params: Readonly<Record<string, MetricParamValue>> = {},
  options: { database: string },
): Promise<Row[]> {
  const query = metricQueries().get(name);
  if (!query) throw new Error(`unknown metric query ${JSON.stringify(name)}`);
  if (!IDENTIFIER.test(options.database))
    throw new Error(`invalid database name ${JSON.stringify(options.database)}`);
  const result = await client.query({
    query: query.sql.replaceAll('{db}', options.database),
    query_params: bindMetricParams(query, params),
    format: 'JSONEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  return result.json<Row>();
}
