// The latency of every documented dashboard query (services/sink/queries, through the sink's own
// runMetricQuery with default parameters) over the benchmark run's data.
import type { ClickHouseClient } from '@clickhouse/client';
import { metricQueries, runMetricQuery } from '../sink/metric-queries.ts';

export interface QueryTiming {
  name: string;
  ms: number;
  rows: number;
  error: string | null;
}

export async function timeDashboardQueries(
  client: ClickHouseClient,
  database: string,
): Promise<QueryTiming[]> {
  const timings: QueryTiming[] = [];
  for (const name of metricQueries().keys()) {
    const started = performance.now();
    try {
      const rows = await runMetricQuery(client, name, {}, { database });
      timings.push({ name, ms: performance.now() - started, rows: rows.length, error: null });
    } catch (err) {
      timings.push({
        name,
        ms: performance.now() - started,
        rows: 0,
        error: (err as Error).message.slice(0, 200),
      });
    }
  }
  return timings;
}
