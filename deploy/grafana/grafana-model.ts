// The pieces every generated Grafana dashboard is built from: datasources chosen by template
// variables (importable anywhere: `__inputs` names the plugins, no hard-coded uid), panels from
// the documented metric queries translated for the ClickHouse plugin, and the grid layout.
import { metricQueries } from '../../services/sink/metric-queries.ts';
import type { MetricParamValue, MetricQuery } from '../../services/sink/metric-queries.ts';

export const CLICKHOUSE_PLUGIN = 'grafana-clickhouse-datasource';
/** Panels name their datasource by these variables; the variables pick one of the plugin's type. */
export const CLICKHOUSE = { type: CLICKHOUSE_PLUGIN, uid: '${datasource}' } as const;
export const PROMETHEUS = { type: 'prometheus', uid: '${prometheus}' } as const;
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

/** Parameters a dashboard variable sets: `{cut:String}` becomes `${cut:sqlstring}`. */
export type VariableParams = Record<string, string>;

/**
 * A metric query as Grafana SQL for the ClickHouse datasource: {db} is the ${database} variable,
 * time-range parameters the plugin's macros, `variables` map parameters to dashboard variables,
 * every other parameter its value in `values` (the journey map's) or its declared default, as a
 * typed literal.
 */
export function grafanaSql(
  query: MetricQuery,
  values: Record<string, MetricParamValue> = {},
  variables: VariableParams = { cut: 'cut' },
): string {
  const params = new Map(query.params.map((p) => [p.name, p]));
  const sql = query.sql.trim().replace(/\{(\w+):([^}]+)\}/g, (_, name: string, type: string) => {
    // Grafana's sqlstring format quotes the value and doubles its quotes: a value that came from
    // ingested data (an account key, an experiment) cannot end the string.
    if (name in variables) return `\${${variables[name]}:sqlstring}`;
    if (name in values) return literal(type, values[name]!);
    return timeRangeMacro(name, type) ?? literal(type, params.get(name)!.default);
  });
  return `-- metric: ${query.name}\n${sql.replaceAll('{db}', '${database}')}`;
}

export interface Panel {
  title: string;
  description?: string;
  type: string;
  w: number;
  h: number;
  targets: Array<Record<string, unknown>>;
  fieldConfig?: Record<string, unknown>;
  options?: Record<string, unknown>;
  transformations?: Array<Record<string, unknown>>;
}

export interface PanelLook {
  type?: string;
  w?: number;
  h?: number;
  fieldConfig?: Record<string, unknown>;
  options?: Record<string, unknown>;
  transformations?: Array<Record<string, unknown>>;
}

const clickhouseTarget = (rawSql: string, timeseries: boolean): Record<string, unknown> => ({
  refId: 'A',
  datasource: CLICKHOUSE,
  editorType: 'sql',
  format: timeseries ? 0 : 1,
  queryType: timeseries ? 'timeseries' : 'table',
  rawSql,
});

/** A panel showing one documented metric query (services/sink/queries/<name>.sql). */
export function metricPanel(
  name: string,
  title: string,
  look: PanelLook = {},
  values: Record<string, MetricParamValue> = {},
  variables?: VariableParams,
): Panel {
  const query = metricQueries().get(name);
  if (!query) throw new Error(`no metric query ${name}`);
  const { type = 'table', w = 12, h = 9, ...rest } = look;
  return {
    title,
    description: `${query.description} (services/sink/queries/${name}.sql)`,
    type,
    w,
    h,
    ...rest,
    targets: [clickhouseTarget(grafanaSql(query, values, variables), type === 'timeseries')],
  };
}

/** A panel with SQL of its own (not a metric query); it must still honour the time range. */
export function sqlPanel(title: string, description: string, rawSql: string, look: PanelLook = {}): Panel {
  const { type = 'timeseries', w = 12, h = 8, ...rest } = look;
  return {
    title,
    description,
    type,
    w,
    h,
    ...rest,
    targets: [clickhouseTarget(rawSql, type === 'timeseries')],
  };
}

export function promPanel(
  title: string,
  description: string,
  unit: string,
  exprs: Array<[string, string]>,
): Panel {
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

export const row = (title: string): Panel => ({ title, type: 'row', w: 24, h: 1, targets: [] });

const INPUTS = {
  clickhouse: {
    name: 'DS_CLICKHOUSE',
    label: 'ClickHouse',
    pluginId: CLICKHOUSE_PLUGIN,
    pluginName: 'ClickHouse',
  },
  prometheus: {
    name: 'DS_PROMETHEUS',
    label: 'Prometheus',
    pluginId: 'prometheus',
    pluginName: 'Prometheus',
  },
} as const;

/** The datasource variable panels refer to; on import, `__inputs` asks which one to use. */
export function datasourceVariable(kind: keyof typeof INPUTS): Record<string, unknown> {
  const input = INPUTS[kind];
  return {
    name: kind === 'clickhouse' ? 'datasource' : 'prometheus',
    label: input.label,
    type: 'datasource',
    query: input.pluginId,
    current: { text: `\${${input.name}}`, value: `\${${input.name}}` },
    hide: 0,
  };
}

export function dashboard(
  uid: string,
  title: string,
  description: string,
  panels: Panel[],
  templating: Array<Record<string, unknown>>,
  time: { from: string; to: string },
  links: Array<Record<string, unknown>> = [],
): object {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const laid = panels.map(({ w, h, ...panel }, i) => {
    if (x + w > 24 || panel.type === 'row') {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { h, w, x, y };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    if (panel.type === 'row')
      return { id: i + 1, type: 'row', title: panel.title, collapsed: false, panels: [], gridPos };
    return { id: i + 1, ...panel, datasource: panel.targets[0]!.datasource, gridPos };
  });
  const kinds = new Set(
    templating
      .filter((v) => v.type === 'datasource')
      .map((v) => (v.name === 'datasource' ? 'clickhouse' : 'prometheus')),
  );
  return {
    __inputs: [...kinds].map((k) => ({ ...INPUTS[k], type: 'datasource', description: '' })),
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: '11.0.0' },
      ...[...kinds].map((k) => ({
        type: 'datasource',
        id: INPUTS[k].pluginId,
        name: INPUTS[k].pluginName,
        version: '',
      })),
    ],
    uid,
    title,
    description,
    tags: ['journey-pipeline'],
    editable: false,
    schemaVersion: 41,
    timezone: 'utc',
    refresh: '1m',
    time,
    links,
    templating: { list: templating },
    panels: laid,
  };
}
