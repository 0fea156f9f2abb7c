// The Grafana dashboards work against the schema and the metrics the pipeline really has: every
// ClickHouse panel, with its template variables and the plugin's macros expanded as Grafana would,
// runs on the local ClickHouse in a fresh database migrated with the project's migrations and
// loaded with the metric fixture, returns rows, and — for panels built from a documented metric
// query — returns exactly what runMetricQuery returns for the same cut and time range. Every
// Prometheus panel uses only metric names the services export. The JSON is what
// deploy/grafana/build-dashboards.ts generates.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import { migrate } from '../../services/sink/migrate.ts';
import { metricQueries, runMetricQuery } from '../../services/sink/metric-queries.ts';
import { loadMetricFixture } from '../fixtures/metrics-fixture-load.ts';
import {
  CLICKHOUSE,
  DASHBOARD_FILES,
  METRIC_MARKER,
  PROMETHEUS,
  renderDashboard,
} from '../../deploy/grafana/build-dashboards.ts';
import { testClickHouse, uniqueName } from '../support/stack.ts';
import { expandGrafanaSql } from './grafana-macros.ts';
import { exportedMetricNames, metricNamesIn, readRepoFile, readYaml } from './deploy-support.ts';

interface Target {
  refId: string;
  datasource: { type: string; uid: string };
  rawSql?: string;
  expr?: string;
}
interface Dashboard {
  uid: string;
  panels: Array<{ id: number; title: string; datasource: Target['datasource']; targets: Target[] }>;
  templating: { list: Array<{ name: string; options?: Array<{ value: string }> }> };
}

const dashboards = Object.keys(DASHBOARD_FILES).map(
  (file) => [file, JSON.parse(readRepoFile(`deploy/grafana/dashboards/${file}`)) as Dashboard] as const,
);
const panels = dashboards.flatMap(([file, d]) => d.panels.map((p) => ({ file, ...p })));
const clickhousePanels = panels.filter((p) => p.datasource.uid === CLICKHOUSE.uid);
const prometheusPanels = panels.filter((p) => p.datasource.uid === PROMETHEUS.uid);
const CUTS = ['all', 'segment', 'plan', 'channel', 'cohort'];
// The metric fixture spans Jan–Mar 2026 (test/fixtures/metrics-fixture.ts); accounts pay from
// February, so NRR needs a range starting there (the sink's own NRR test uses the same one).
const FROM = new Date('2026-02-01T00:00:00.000Z');
const TO = new Date('2026-03-31T00:00:00.000Z');

test('the dashboards are what build-dashboards.ts generates', async () => {
  for (const [file, build] of Object.entries(DASHBOARD_FILES))
    assert.equal(
      readRepoFile(`deploy/grafana/dashboards/${file}`),
      await renderDashboard(build),
      `${file} is stale: run node deploy/grafana/build-dashboards.ts`,
    );
});

test('panels use the provisioned datasources; the journey dashboard covers the SPEC metrics', () => {
  const provisioned = readYaml<{ datasources: Array<{ uid: string; type: string }> }>(
    'deploy/grafana/provisioning/datasources/datasources.yml',
  ).datasources;
  for (const p of panels)
    for (const t of p.targets)
      assert.ok(
        provisioned.some((d) => d.uid === t.datasource.uid && d.type === t.datasource.type),
        `${p.file} ${p.title}: ${t.datasource.uid}`,
      );
  const used = new Set(clickhousePanels.map((p) => METRIC_MARKER.exec(p.targets[0]!.rawSql!)?.[1]));
  for (const name of [
    'stage_conversion',
    'time_in_stage',
    'activation_by_cohort',
    'retention_by_cohort',
    'nrr_by_cohort',
    'highest_impact_dropoffs',
    'churn_score_distribution',
  ])
    assert.ok(used.has(name), name);
  const ids = panels.map((p) => `${p.file}#${p.id}`);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique per dashboard');
});

test('every Prometheus panel queries metrics the services export', async () => {
  const exported = await exportedMetricNames();
  const needed = [
    'journey_consumer_lag',
    'journey_dlq_messages_total',
    'journey_identity_refused_merges_total',
  ];
  const used = new Set<string>();
  for (const p of prometheusPanels)
    for (const t of p.targets) {
      const names = metricNamesIn(t.expr!);
      assert.ok(names.length > 0, `${p.title}: ${t.expr}`);
      for (const n of names) {
        assert.ok(exported.has(n), `${p.title}: ${n} is not exported`);
        used.add(n);
      }
    }
  for (const n of needed) assert.ok(used.has(n), n);
  assert.ok(used.has('journey_clickhouse_insert_duration_seconds_bucket'), 'insert latency');
  assert.ok(used.has('journey_records_total'), 'throughput');
});

test('macro expansion: known macros expand, unknown ones fail', () => {
  const ctx = {
    from: new Date('2026-01-01T00:00:00.000Z'),
    to: new Date('2026-04-01T00:00:00.000Z'),
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

describe('ClickHouse panels on a migrated database with the metric fixture', () => {
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

  const runPanel = async (sql: string, cut: string): Promise<Record<string, unknown>[]> => {
    const result = await client.query({
      query: expandGrafanaSql(sql, {
        from: FROM,
        to: TO,
        intervalSeconds: 3600,
        variables: { database, cut },
      }),
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    });
    return result.json();
  };

  for (const panel of clickhousePanels) {
    test(`${panel.file}: ${panel.title}`, async () => {
      const sql = panel.targets[0]!.rawSql!;
      const metric = METRIC_MARKER.exec(sql)?.[1];
      for (const cut of CUTS) {
        const rows = await runPanel(sql, cut);
        assert.ok(rows.length > 0, `${panel.title} (cut ${cut}) returned no rows`);
        if (!metric) continue;
        // The same metric through runMetricQuery, the dashboard's time range as its parameters.
        const params: Record<string, string> = { cut };
        for (const p of metricQueries().get(metric)!.params) {
          if (p.type === 'Date' && (p.name === 'from' || p.name === 'to'))
            params[p.name] = (p.name === 'from' ? FROM : new Date(TO.getTime() + 86_400_000))
              .toISOString()
              .slice(0, 10);
          else if (p.type.startsWith('DateTime64') && ['from', 'start'].includes(p.name))
            params[p.name] = FROM.toISOString().replace('T', ' ').replace('Z', '');
          else if (p.type.startsWith('DateTime64') && ['to', 'end'].includes(p.name))
            params[p.name] = TO.toISOString().replace('T', ' ').replace('Z', '');
        }
        const expected = await runMetricQuery(client, metric, params, { database });
        assert.deepEqual(rows, expected, `${panel.title} (cut ${cut}) differs from runMetricQuery`);
      }
    });
  }

  test('a panel that breaks the schema fails here', async () => {
    await assert.rejects(runPanel('SELECT no_such_column FROM ${database}.journey_events', 'all'));
  });
});

test('the ClickHouse plugin is the one the compose stack installs', () => {
  const compose = readFileSync(new URL('../../deploy/docker-compose.yml', import.meta.url), 'utf8');
  assert.match(compose, new RegExp(`GF_PLUGINS_PREINSTALL_SYNC: ${CLICKHOUSE.type}@`));
});
