// Every documented metric query is also a parameterized view (metric_<name>) that a BI tool can
// query without templating: on the real ClickHouse engine, each view called with every parameter
// returns exactly what runMetricQuery returns with the same values, and `migrate` keeps the views in
// step with the queries (re-running it replaces a view whose query changed).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createChdbTestClient } from '../../test/support/chdb-test-client.ts';
import { loadMetricFixture } from '../../test/fixtures/metrics-fixture-load.ts';
import { FIXTURE_METRIC_PARAMS } from '../../test/fixtures/metric-fixture-params.ts';
import { migrate } from './migrate.ts';
import { bindMetricParams, metricQueries, runMetricQuery } from './metric-queries.ts';
import { metricViewName, metricViewStatements } from './metric-views.ts';

const client = createChdbTestClient();
const database = 'metric_views';

before(async () => {
  await migrate(client, { database });
  await loadMetricFixture(client, database);
});

for (const [name, query] of metricQueries()) {
  test(`metric_${name}(…) equals runMetricQuery`, async () => {
    const values = { ...(FIXTURE_METRIC_PARAMS[name] ?? {}), cut: 'plan' };
    if (!query.params.some((p) => p.name === 'cut')) delete (values as Record<string, unknown>).cut;
    const bound = bindMetricParams(query, values);
    // The view's arguments are themselves query parameters: no value enters the SQL text.
    const args = query.params.map((p) => `${p.name} = {${p.name}:${p.type}}`).join(', ');
    const rows = await (
      await client.query({
        query: `SELECT * FROM ${database}.${metricViewName(query)}(${args})`,
        query_params: bound,
        format: 'JSONEachRow',
        clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
      })
    ).json();
    const expected = await runMetricQuery(client, name, values, { database });
    assert.ok(expected.length > 0, `${name} returns no rows on the fixture`);
    assert.deepEqual(rows, expected);
  });
}

test('every view requires its parameters, and migrate re-creates a view whose query changed', async () => {
  await assert.rejects(
    client.query({ query: `SELECT * FROM ${database}.metric_stalled_accounts`, format: 'JSONEachRow' }),
  );
  await client.command({
    query: `CREATE OR REPLACE VIEW ${database}.metric_stalled_accounts AS SELECT 1 AS stale`,
  });
  await migrate(client, { database });
  const [create] = await (
    await client.query({
      query:
        'SELECT create_table_query FROM system.tables WHERE database = {db:String} AND name = {name:String}',
      query_params: { db: database, name: 'metric_stalled_accounts' },
      format: 'JSONEachRow',
    })
  ).json<{ create_table_query: string }>();
  assert.match(create!.create_table_query, /stalled_share/);
  assert.equal(metricViewStatements({ database }).length, metricQueries().size);
});
