// The Grafana dashboards work against the schema and the metrics the pipeline really has, for
// every shipped journey map: every ClickHouse panel, with its template variables (query variables
// run as Grafana would and their first value taken) and the plugin's macros expanded, runs on the
// local ClickHouse in a fresh database migrated with the project's migrations and loaded with the
// metric fixture, returns rows, honours the time range (another range gives other rows), and —
// for panels built from a documented metric query — returns exactly what runMetricQuery returns
// with the map's parameters, the same variables and the same range. Every documented metric query
// and every metric the services export is on a dashboard. The JSON is what
// deploy/grafana/build-dashboards.ts generates.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import { migrate } from '../../services/sink/migrate.ts';
import { metricQueries, runMetricQuery } from '../../services/sink/metric-queries.ts';
import { mapParamsFor } from '../../services/sink/map-metric-params.ts';
import { loadJourneyMap } from '../../services/journey/journey-map.ts';
import { loadMetricFixture } from '../fixtures/metrics-fixture-load.ts';
import { DASHBOARD_FILES, SHIPPED_MAPS, renderDashboard } from '../../deploy/grafana/build-dashboards.ts';
import { PARAM_VARIABLES } from '../../deploy/grafana/journey-dashboard.ts';
import {
  CLICKHOUSE,
  CLICKHOUSE_PLUGIN,
  METRIC_MARKER,
  PROMETHEUS,
} from '../../deploy/grafana/grafana-model.ts';
import { testClickHouse, uniqueName } from '../support/stack.ts';
import { expandGrafanaSql } from './grafana-macros.ts';
import { exportedMetricNames, metricNamesIn, readRepoFile, readYaml } from './deploy-support.ts';

interface Target {
  refId: string;
  datasource: { type: string; uid: string };
  rawSql?: string;
  expr?: string;
}
interface Variable {
  name: string;
  type: string;
  query: string;
  current?: { value?: string };
}
interface Dashboard {
  uid: string;
  __inputs: Array<{ name: string; type: string; pluginId: string }>;
  panels: Array<{
    id: number;
    type: string;
    title: string;
    datasource?: Target['datasource'];
    targets?: Target[];
  }>;
  templating: { list: Variable[] };
}

const dashboards = Object.keys(DASHBOARD_FILES).map(
  (file) => [file, JSON.parse(readRepoFile(`deploy/grafana/dashboards/${file}`)) as Dashboard] as const,
);
const panels = dashboards.flatMap(([file, d]) =>
  d.panels.filter((p) => p.type !== 'row').map((p) => ({ file, dashboard: d, ...p, targets: p.targets! })),
);
const clickhousePanels = panels.filter((p) => p.datasource!.type === CLICKHOUSE.type);
const prometheusPanels = panels.filter((p) => p.datasource!.type === PROMETHEUS.type);
const CUTS = ['all', 'segment', 'plan', 'channel', 'cohort'];
// The metric fixture spans Jan–Mar 2026 (test/fixtures/metrics-fixture.ts); accounts pay from
// February, so NRR needs a range starting there (the sink's own NRR test uses the same one).
const RANGE = { from: new Date('2026-01-01T00:00:00.000Z'), to: new Date('2026-04-01T00:00:00.000Z') };
const RANGES: Record<string, typeof RANGE> = {
  nrr_by_cohort: { from: new Date('2026-02-01T00:00:00.000Z'), to: new Date('2026-03-31T00:00:00.000Z') },
};
const ELSEWHERE = { from: new Date('2031-01-01T00:00:00.000Z'), to: new Date('2031-02-01T00:00:00.000Z') };
const mapOf = (file: string) => {
  const name = SHIPPED_MAPS.find((m) => file === `journey-${m}.json`);
  return name && loadJourneyMap(new URL(`../../config/journeys/${name}.yaml`, import.meta.url).pathname);
};

test('the dashboards are what build-dashboards.ts generates, one journey dashboard per shipped map', async () => {
  for (const [file, build] of Object.entries(DASHBOARD_FILES))
    assert.equal(
      readRepoFile(`deploy/grafana/dashboards/${file}`),
      await renderDashboard(build),
      `${file} is stale: run node deploy/grafana/build-dashboards.ts`,
    );
  for (const map of SHIPPED_MAPS) assert.ok(`journey-${map}.json` in DASHBOARD_FILES, map);
});

test('panels pick their datasource by variable, of a provisioned type, named in __inputs for import', () => {
  const provisioned = readYaml<{ datasources: Array<{ uid: string; type: string }> }>(
    'deploy/grafana/provisioning/datasources/datasources.yml',
  ).datasources;
  for (const [file, d] of dashboards) {
    const variables = new Map(
      d.templating.list.filter((v) => v.type === 'datasource').map((v) => [v.name, v]),
    );
    for (const p of d.panels.filter((p) => p.type !== 'row'))
      for (const t of p.targets!) {
        const variable = variables.get(/^\$\{(\w+)\}$/.exec(t.datasource.uid)?.[1] ?? '');
        assert.ok(variable, `${file} ${p.title}: datasource ${t.datasource.uid} is not a variable`);
        assert.equal(variable.query, t.datasource.type, `${file} ${p.title}`);
        assert.ok(
          provisioned.some((s) => s.type === t.datasource.type),
          `${file}: ${t.datasource.type}`,
        );
        assert.ok(
          d.__inputs.some((i) => i.type === 'datasource' && i.pluginId === t.datasource.type),
          `${file}: __inputs lacks ${t.datasource.type}`,
        );
      }
    assert.ok(!JSON.stringify(d).includes('"uid":"clickhouse"'), `${file} hard-codes a datasource uid`);
  }
  const ids = panels.map((p) => `${p.file}#${p.id}`);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique per dashboard');
});

test('every documented metric query is on the b2b dashboard; each map gets its own funnel and activation', () => {
  const onDashboard = (file: string): Set<string | undefined> =>
    new Set(
      clickhousePanels
        .filter((p) => p.file === file)
        .map((p) => METRIC_MARKER.exec(p.targets[0]!.rawSql!)?.[1]),
    );
  const b2b = onDashboard('journey-b2b-saas.json');
  for (const name of metricQueries().keys()) assert.ok(b2b.has(name), `${name} is on no dashboard`);
  const funnelSql = (file: string): string =>
    clickhousePanels.find(
      (p) => p.file === file && p.targets[0]!.rawSql!.startsWith('-- metric: onboarding_funnel'),
    )!.targets[0]!.rawSql!;
  assert.match(funnelSql('journey-b2c.json'), /'Product Added'/);
  assert.doesNotMatch(funnelSql('journey-b2c.json'), /'Created Project'/);
  assert.match(funnelSql('journey-b2b-saas.json'), /'Created Project'/);
  const activation = clickhousePanels.find(
    (p) =>
      p.file === 'journey-b2c.json' && p.targets[0]!.rawSql!.startsWith('-- metric: activation_by_cohort'),
  )!;
  assert.match(activation.targets[0]!.rawSql!, /'Order Completed'/);
});

test("the dashboard's variables reach the queries: each parameter they fill is a quoted variable in the SQL", () => {
  for (const p of clickhousePanels) {
    const metric = METRIC_MARKER.exec(p.targets[0]!.rawSql!)?.[1];
    if (!metric) continue;
    for (const param of metricQueries().get(metric)!.params) {
      const variable = PARAM_VARIABLES[param.name as keyof typeof PARAM_VARIABLES];
      if (variable === undefined) continue;
      assert.ok(
        p.targets[0]!.rawSql!.includes(`\${${variable}:sqlstring}`),
        `${p.file} ${p.title}: ${param.name} is not the variable ${variable}`,
      );
      const defined = p.dashboard.templating.list.some((v) => v.name === variable);
      assert.ok(defined, `${p.file}: no variable ${variable}`);
    }
    assert.doesNotMatch(
      p.targets[0]!.rawSql!,
      /'\$\{/,
      `${p.title}: a variable inside quotes is not escaped`,
    );
  }
});

test('every metric the services export is on the operations dashboard (process defaults aside)', async () => {
  const exported = await exportedMetricNames();
  const used = new Set<string>();
  for (const p of prometheusPanels)
    for (const t of p.targets) {
      const names = metricNamesIn(t.expr!);
      assert.ok(names.length > 0, `${p.title}: ${t.expr}`);
      for (const n of names) {
        assert.ok(exported.has(n), `${p.title}: ${n} is not exported`);
        used.add(n.replace(/_(bucket|sum|count)$/, ''));
      }
    }
  for (const n of exported) {
    if (/^journey_(process|nodejs)_/.test(n) || /_(bucket|sum|count)$/.test(n)) continue;
    assert.ok(used.has(n), `${n} is on no dashboard`);
  }
});

test('macro expansion: known macros expand, unknown ones fail', () => {
  const ctx = {
    ...RANGE,
    intervalSeconds: 60,
    variables: { database: 'db', cut: 'plan' },
  };
  assert.equal(
    expandGrafanaSql("SELECT '${cut}' FROM ${database}.t WHERE $__timeFilter(at) AND x < $__toTime_ms", ctx),
    "SELECT 'plan' FROM db.t WHERE at >= toDateTime(1767225600) AND at <= toDateTime(1775001600) AND x < fromUnixTimestamp64Milli(1775001600000)",
  );
  assert.throws(() => expandGrafanaSql('SELECT $__unknown(x)', ctx), /unknown macro/);
  assert.throws(() => expandGrafanaSql('SELECT ${nope}', ctx), /unknown template variable/);
});

describe('ClickHouse panels of every journey map on a migrated database with the metric fixture', () => {
  let client: ClickHouseClient;
  const database = uniqueName('grafana');

  before(async () => {
    client = testClickHouse();
    await migrate(client, { database });
    await loadMetricFixture(client, database);
  });
  after(async () => {
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await client.close();
  });

  const run = async (
    sql: string,
    variables: Record<string, string>,
    range = RANGE,
  ): Promise<Record<string, unknown>[]> => {
    const result = await client.query({
      query: expandGrafanaSql(sql, {
        ...range,
        intervalSeconds: 3600,
        variables: { database, ...variables },
      }),
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    });
    return result.json();
  };
  /** The dashboard's variables as Grafana sets them: query variables take their first result. */
  const variablesOf = async (d: Dashboard, cut: string): Promise<Record<string, string>> => {
    const values: Record<string, string> = { cut };
    for (const v of d.templating.list) {
      if (v.type === 'custom' && v.name !== 'cut') values[v.name] = v.current!.value!;
      if (v.type !== 'query') continue;
      const [first] = await run(v.query, values);
      assert.ok(first, `variable ${v.name} has no value`);
      values[v.name] = String(Object.values(first)[0]);
    }
    return values;
  };
  const asParams = (range: typeof RANGE, types: Map<string, string>): Record<string, string> => {
    const params: Record<string, string> = {};
    for (const [name, type] of types) {
      const start = ['from', 'start'].includes(name);
      const end = ['to', 'end'].includes(name);
      if (!start && !end) continue;
      if (type === 'Date')
        params[name] = (start ? range.from : new Date(range.to.getTime() + 86_400_000))
          .toISOString()
          .slice(0, 10);
      else params[name] = (start ? range.from : range.to).toISOString().replace('T', ' ').replace('Z', '');
    }
    return params;
  };

  for (const panel of clickhousePanels) {
    test(`${panel.file}: ${panel.title}`, async () => {
      const sql = panel.targets[0]!.rawSql!;
      const metric = METRIC_MARKER.exec(sql)?.[1];
      const range = (metric && RANGES[metric]) || RANGE;
      const map = mapOf(panel.file);
      for (const cut of CUTS) {
        const variables = await variablesOf(panel.dashboard, cut);
        const rows = await run(sql, variables, range);
        assert.ok(rows.length > 0, `${panel.title} (cut ${cut}) returned no rows`);
        assert.notDeepEqual(
          await run(sql, variables, ELSEWHERE),
          rows,
          `${panel.title} ignores the time range`,
        );
        if (!metric || !map) continue;
        // The same metric through runMetricQuery: the map's parameters, the dashboard's variables
        // and time range.
        const query = metricQueries().get(metric)!;
        const types = new Map(query.params.map((p) => [p.name, p.type]));
        const fromVariables = Object.entries(PARAM_VARIABLES)
          .filter(([param]) => types.has(param))
          .map(([param, variable]) => [param, variables[variable]!]);
        const params = {
          ...mapParamsFor(query, map),
          ...asParams(range, types),
          ...Object.fromEntries(fromVariables),
        };
        const expected = await runMetricQuery(client, metric, params, { database });
        assert.deepEqual(rows, expected, `${panel.title} (cut ${cut}) differs from runMetricQuery`);
      }
    });
  }

  test('a variable value with quotes stays a value (sqlstring)', async () => {
    const [file, d] = dashboards.find(([f]) => f === 'journey-b2b-saas.json')!;
    const panel = clickhousePanels.find(
      (p) => p.file === file && p.targets[0]!.rawSql!.includes('${account:sqlstring}'),
    )!;
    const variables = { ...(await variablesOf(d, 'all')), account: "x' OR 1 = 1 OR account_key = '" };
    assert.deepEqual(await run(panel.targets[0]!.rawSql!, variables), []);
  });

  test('a panel that breaks the schema fails here', async () => {
    await assert.rejects(run('SELECT no_such_column FROM ${database}.journey_events', { cut: 'all' }));
  });
});

test('the ClickHouse plugin is the one the compose stack installs', () => {
  const compose = readFileSync(new URL('../../deploy/docker-compose.yml', import.meta.url), 'utf8');
  assert.match(compose, new RegExp(`GF_PLUGINS_PREINSTALL_SYNC: ${CLICKHOUSE_PLUGIN}@`));
});
