// Every documented metric query also ships as a ClickHouse parameterized view, metric_<name>, so a
// BI tool (Metabase, Superset, a notebook) queries it without templating:
//   SELECT * FROM journey.metric_stage_conversion(stages = ['acquisition', 'activation'], cut = 'plan',
//     from = '2026-01-01 00:00:00.000', to = '2026-04-01 00:00:00.000')
// ClickHouse gives a view's parameters no defaults: each is required (docs/metrics.md lists them
// with the defaults the queries use). The views are (re)created by every `migrate` run, after the
// migrations, so they follow the queries shipped with the running version.
import type { ClickHouseClient } from '@clickhouse/client';
import { metricQueries } from './metric-queries.ts';
import type { MetricQuery } from './metric-queries.ts';
import { renderMigration } from './migrate.ts';
import type { MigrationOptions } from './migrate.ts';

export const metricViewName = (query: MetricQuery): string => `metric_${query.name}`;

export function metricViewStatements(options: MigrationOptions, queries = metricQueries()): string[] {
  return [...queries.values()].flatMap((query) =>
    renderMigration(
      `CREATE OR REPLACE VIEW {db}.${metricViewName(query)} {on_cluster} AS\n${query.sql.trim()};`,
      options,
    ),
  );
}

export async function createMetricViews(client: ClickHouseClient, options: MigrationOptions): Promise<void> {
  for (const statement of metricViewStatements(options)) await client.command({ query: statement });
}
