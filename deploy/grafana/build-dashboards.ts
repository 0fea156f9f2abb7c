// Builds the Grafana dashboards in deploy/grafana/dashboards/ (run: node deploy/grafana/build-dashboards.ts;
// --check exits 1 when the committed JSON differs). The journey dashboard's ClickHouse panels are
// the documented metric queries of services/sink/queries, translated for Grafana: {db} becomes the
// ${database} variable, {cut:String} the ${cut} variable, time-range parameters the plugin's
// $__fromTime_ms / $__toTime_ms macros, every other parameter its declared default as a typed
// literal. test/deploy/grafana-dashboards.test.ts runs each panel on ClickHouse and compares it
// with runMetricQuery.
import { readFileSync, writeFileSync } from 'node:fs';
import { format } from 'prettier';
import { metricQueries } from '../../services/sink/metric-queries.ts';
import type { MetricParamValue, MetricQuery } from '../../services/sink/metric-queries.ts';

export const CLICKHOUSE = { type: 'grafana-clickhouse-datasource', uid: 'clickhouse' } as const;
export const PROMETHEUS = { type: 'prometheus', uid: 'prometheus' } as const;
const DASHBOARDS = new URL('./dashboards/', import.meta.url);
/** The marker on a panel's first SQL line naming the metric query it was built from. */
export const METRIC_MARKER = /^-- metric: (\w+)\n/;

const sqlString = (s: string): string => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

function literal(type: string, value: MetricParamValue): string {
  if (Array.isArray(value))
    return `CAST([${value.map((v) => (typeof v === 'string' ? sqlString(v) : String(v))).join(', ')}] AS ${type})`;
  if (typeof value === 'string')
    return type === 'String' ? sqlString(value) : `CAST(${sqlString(value)} AS ${type})`;
  return `CAST(${String(value)} AS ${type})`;
}

/** Time-range parameters: the dashboard's range, half-open like the queries' [from, to). */
function timeRangeMacro(name: string, type: string): string | undefined {
  const start = name === 'from' || name === 'start';
  const end = name === 'to' || name === 'end';
  if (!start && !end) return undefined;
  if (type === 'Date') return start ? 'toDate($__fromTime)' : 'toDate($__toTime) + 1';
  if (type.startsWith('DateTime64')) return start ? '$__fromTime_ms' : '$__toTime_ms';
  return undefined;
}

/** A metric query as Grafana SQL for the ClickHouse datasource. */
export function grafanaSql(query: MetricQuery, overrides: Record<string, MetricParamValue> = {}): string {
  const params = new Map(query.params.map((p) => [p.name, p]));
  const sql = query.sql.trim().replace(/\{(\w+):([^}]+)\}/g, (_, name: string, type: string) => {
    if (name === 'cut') return "'${cut}'";
    if (name in overrides) return literal(type, overrides[name]!);
    return timeRangeMacro(name, type) ?? literal(type, params.get(name)!.default);
  });
  return `-- metric: ${query.name}\n${sql.replaceAll('{db}', '${database}')}`;
}

interface Panel {
  title: string;
  description?: string;
  type: string;
  w: number;
  h: number;
  targets: Array<Record<string, unknown>>;
  fieldConfig?: Record<string, unknown>;
  options?: Record<string, unknown>;
}

function metricPanel(name: string, title: string, type = 'table', w = 12, h = 9): Panel {
  const query = metricQueries().get(name);
  if (!query) throw new Error(`no metric query ${name}`);
  return {
    title,
    description: `${query.description} (services/sink/queries/${name}.sql)`,
    type,
    w,
    h,
    targets: [
      {
        refId: 'A',
        datasource: CLICKHOUSE,
        editorType: 'sql',
        format: 1,
        queryType: 'table',
        rawSql: grafanaSql(query),
      },
    ],
  };
}

function sqlPanel(title: string, description: string, rawSql: string, type = 'timeseries'): Panel {
  return {
    title,
    description,
    type,
    w: 12,
    h: 8,
    targets: [
      { refId: 'A', datasource: CLICKHOUSE, editorType: 'sql', format: 0, queryType: 'timeseries', rawSql },
    ],
  };
}

function promPanel(title: string, description: string, unit: string, exprs: Array<[string, string]>): Panel {
  return {
    title,
    description,
    type: 'timeseries',
    w: 12,
    h: 8,
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: exprs.map(([expr, legendFormat], i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: PROMETHEUS,
      expr,
      legendFormat,
    })),
  };
}

function dashboard(
  uid: string,
  title: string,
  description: string,
  panels: Panel[],
  templating: unknown[],
  time: { from: string; to: string },
): object {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const laid = panels.map(({ w, h, ...panel }, i) => {
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { h, w, x, y };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return { id: i + 1, ...panel, datasource: panel.targets[0]!.datasource, gridPos };
  });
  return {
    uid,
    title,
    description,
    tags: ['journey-pipeline'],
    editable: false,
    schemaVersion: 41,
    timezone: 'utc',
    refresh: '1m',
    time,
    templating: { list: templating },
    panels: laid,
  };
}

const cutVariable = {
  name: 'cut',
  label: 'Cut by',
  type: 'custom',
  query: 'all,segment,plan,channel,cohort',
  current: { text: 'all', value: 'all' },
  options: ['all', 'segment', 'plan', 'channel', 'cohort'].map((v, i) => ({
    text: v,
    value: v,
    selected: i === 0,
  })),
};
const databaseVariable = {
  name: 'database',
  label: 'ClickHouse database',
  type: 'textbox',
  query: 'journey',
  current: { text: 'journey', value: 'journey' },
};

export function journeyDashboard(): object {
  const panels: Panel[] = [
    metricPanel('stage_conversion', 'Stage funnel: conversion and time to convert', 'table', 12),
    metricPanel('onboarding_funnel', 'Onboarding funnel drop-off', 'table', 12),
    metricPanel('time_in_stage', 'Time in stage (hours)', 'table', 12),
    metricPanel('stage_transition_counts', 'Stage transitions in range', 'table', 12),
    metricPanel('activation_by_cohort', 'Activation by sign-up cohort', 'table', 12),
    metricPanel('retention_by_cohort', 'Retention by cohort (weeks since sign-up)', 'table', 12),
    metricPanel('nrr_by_cohort', 'Net revenue retention (range start to end)', 'table', 12),
    metricPanel('expansion_mrr', 'MRR movements per month', 'table', 12),
    metricPanel('highest_impact_dropoffs', 'Highest-impact drop-offs', 'table', 24),
    metricPanel('churn_score_distribution', 'Churn score distribution', 'barchart', 12),
    metricPanel('stalled_accounts', 'Stalled accounts per stage', 'table', 12),
    sqlPanel(
      'Churn alerts per day',
      'Threshold crossings (hysteresis and cool-down applied) per day and band entered, from churn_alerts.',
      [
        'SELECT toStartOfDay(at) AS time, band, count() AS alerts',
        'FROM ${database}.churn_alerts FINAL',
        'WHERE $__timeFilter(at)',
        'GROUP BY time, band',
        'ORDER BY time, band',
      ].join('\n'),
    ),
    metricPanel('weekly_active', 'Weekly active users and accounts', 'table', 12),
    metricPanel('churn_reasons', "Churn reasons in the customer's words", 'table', 24),
  ];
  return dashboard(
    'journey-analytics',
    'Customer journey',
    'Stage funnel, time in stage, activation, retention, NRR, drop-offs and churn risk from ClickHouse (docs/metrics.md). Every table is a documented metric query; pick a cut to split by segment, plan, channel or cohort.',
    panels,
    [databaseVariable, cutVariable],
    { from: 'now-90d', to: 'now' },
  );
}

export function operationsDashboard(): object {
  const rate = (metric: string, by: string): string => `sum by (${by}) (rate(${metric}[$__rate_interval]))`;
  const quantile = (q: number, metric: string, by: string): string =>
    `histogram_quantile(${q}, sum by (le, ${by}) (rate(${metric}_bucket[$__rate_interval])))`;
  const panels: Panel[] = [
    promPanel('Throughput by stage and result', 'Records per second (ok, dlq, drop, duplicate).', 'ops', [
      [rate('journey_records_total', 'stage, result'), '{{stage}} {{result}}'],
    ]),
    promPanel(
      'Consumer lag',
      "Messages behind the partition's end at the broker (end offset minus the group's committed offset), per group and topic.",
      'short',
      [['sum by (group, topic) (journey_consumer_lag)', '{{group}} {{topic}}']],
    ),
    promPanel(
      'Freshness: event time behind the clock',
      "Now minus the journey's event-time watermark (the map's lateness included): how old the newest final stages, scores and alerts are. JourneyOutputsStale fires over 2 h.",
      's',
      [['time() - max(journey_watermark_seconds)', 'journey watermark']],
    ),
    promPanel('Dead letters by reason', 'Messages sent to the DLQ per second, by reason and step.', 'ops', [
      [rate('journey_dlq_messages_total', 'reason, step'), '{{step}}: {{reason}}'],
    ]),
    promPanel(
      'Identity merges and refused merges',
      'Merges by reason, and links refused by the safety rules.',
      'ops',
      [
        [rate('journey_identity_merges_total', 'reason'), 'merged: {{reason}}'],
        [rate('journey_identity_refused_merges_total', 'reason'), 'refused: {{reason}}'],
      ],
    ),
    promPanel('ClickHouse insert latency', 'Per table, retries included.', 's', [
      [quantile(0.5, 'journey_clickhouse_insert_duration_seconds', 'table'), 'p50 {{table}}'],
      [quantile(0.99, 'journey_clickhouse_insert_duration_seconds', 'table'), 'p99 {{table}}'],
    ]),
    promPanel('ClickHouse rows inserted', 'Rows acknowledged per second, per table.', 'rowsps', [
      [rate('journey_clickhouse_inserted_rows_total', 'table'), '{{table}}'],
    ]),
    promPanel('Batch duration', 'One batch end to end: outputs acknowledged and offsets committed.', 's', [
      [quantile(0.5, 'journey_batch_duration_seconds', 'stage'), 'p50 {{stage}}'],
      [quantile(0.99, 'journey_batch_duration_seconds', 'stage'), 'p99 {{stage}}'],
    ]),
    promPanel('Rebalances', 'Consumer group rebalances per second.', 'ops', [
      [rate('journey_consumer_rebalances_total', 'group'), '{{group}}'],
    ]),
    promPanel('Accounts per churn band', 'After the last batch.', 'short', [
      ['sum by (band) (journey_churn_accounts)', '{{band}}'],
    ]),
    promPanel(
      'Churn alerts and stage transitions',
      'Alerts fired by band entered; transitions by stage entered.',
      'ops',
      [
        [rate('journey_churn_alerts_total', 'band'), 'alert: {{band}}'],
        [rate('journey_stage_transitions_total', 'to_stage'), 'entered: {{to_stage}}'],
      ],
    ),
    promPanel('Event-loop lag', 'p99 event-loop delay per process.', 's', [
      ['max by (instance) (journey_nodejs_eventloop_lag_p99_seconds)', '{{instance}}'],
    ]),
    promPanel('Memory', 'Resident memory and heap used per process.', 'bytes', [
      ['max by (instance) (journey_process_resident_memory_bytes)', 'rss {{instance}}'],
      ['sum by (instance) (journey_nodejs_heap_size_used_bytes)', 'heap {{instance}}'],
    ]),
  ];
  return dashboard(
    'journey-operations',
    'Journey pipeline operations',
    'Throughput, consumer lag, dead letters, identity merges, ClickHouse insert latency and process health from the services’ /metrics (services/shared/telemetry/metrics.ts). Alerts: deploy/prometheus/churn-alerts.rules.yml.',
    panels,
    [],
    { from: 'now-6h', to: 'now' },
  );
}

export const DASHBOARD_FILES: Record<string, () => object> = {
  'journey.json': journeyDashboard,
  'operations.json': operationsDashboard,
};

export async function renderDashboard(build: () => object): Promise<string> {
  return format(JSON.stringify(build()), {
    parser: 'json',
    singleQuote: true,
    printWidth: 110,
    trailingComma: 'all',
  });
}

if (import.meta.main) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, build] of Object.entries(DASHBOARD_FILES)) {
    const url = new URL(file, DASHBOARDS);
    const text = await renderDashboard(build);
    if (!check) writeFileSync(url, text);
    else if (readFileSync(url, 'utf8') !== text) {
      console.error(`${file} is stale: run node deploy/grafana/build-dashboards.ts`);
      stale++;
    }
  }
  process.exitCode = stale ? 1 : 0;
}
