// Every stage, experiment and churn metric query on the real ClickHouse engine (chdb) against the
// same metric computed in plain JS from the same fixture — for every cut.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createChdbTestClient } from '../../test/support/chdb-test-client.ts';
import { migrate } from './migrate.ts';
import { runMetricQuery } from './metric-queries.ts';
import { assertSameRows, loadMetricFixture } from '../../test/fixtures/metrics-fixture-load.ts';
import {
  EXPERIMENT,
  accountStateRows,
  churnAlertRows,
  churnOutcomeRows,
  churnScoreRows,
  stageTransitionRows,
} from '../../test/fixtures/metrics-fixture-accounts.ts';
import { latestStates } from '../../test/oracles/metrics-oracle-support.ts';
import type { Cut, Row } from '../../test/oracles/metrics-oracle-support.ts';
import * as acc from '../../test/oracles/metrics-oracle-accounts.ts';
import * as churn from '../../test/oracles/metrics-oracle-churn.ts';

const client = createChdbTestClient();
const database = 'metrics_accounts';
const states = latestStates(accountStateRows());
const transitions = stageTransitionRows();
const STAGES = ['acquisition', 'activation', 'engagement', 'expansion'];
const CUTS: Cut[] = ['all', 'segment', 'plan', 'channel', 'cohort'];
const run = (name: string, params: Record<string, string | number | string[]>): Promise<Row[]> =>
  runMetricQuery<Row>(client, name, params, { database });

before(async () => {
  await migrate(client, { database });
  await loadMetricFixture(client, database);
});

const cases: Array<{
  name: string;
  keys: string[];
  params?: Record<string, string | number | string[]>;
  oracle: (cut: Cut) => Row[];
}> = [
  {
    name: 'stage_conversion',
    keys: ['cut_value', 'stage_index'],
    oracle: (c) => acc.stageConversion(states, c, STAGES),
  },
  {
    name: 'time_in_stage',
    keys: ['cut_value', 'stage'],
    oracle: (c) => acc.timeInStage(states, transitions, c),
  },
  {
    name: 'stage_transition_counts',
    keys: ['cut_value', 'from_stage', 'to_stage', 'map_version'],
    oracle: (c) => acc.stageTransitionCounts(transitions, c),
  },
  { name: 'stalled_accounts', keys: ['cut_value', 'stage'], oracle: (c) => acc.stalledAccounts(states, c) },
  {
    name: 'highest_impact_dropoffs',
    keys: ['cut_value', 'stage'],
    params: { fix_probability: 0.25 },
    oracle: (c) => acc.highestImpactDropoffs(states, c, STAGES, 0.25),
  },
  {
    name: 'experiment_conversion',
    keys: ['cut_value', 'variant'],
    params: { experiment: EXPERIMENT },
    oracle: (c) => acc.experimentConversion(states, c, EXPERIMENT, 'control', 'activation'),
  },
  {
    name: 'experiment_conversion',
    keys: ['cut_value', 'variant'],
    params: { experiment: EXPERIMENT, from_step: 'Created Project', target_step: 'Created Report' },
    oracle: (c) =>
      acc.experimentConversion(states, c, EXPERIMENT, 'control', 'activation', {
        from: 'Created Project',
        target: 'Created Report',
      }),
  },
  {
    name: 'churn_score_distribution',
    keys: ['cut_value', 'bucket_from'],
    oracle: (c) => churn.churnScoreDistribution(states, churnScoreRows(), c, 10),
  },
  {
    name: 'time_to_churn',
    keys: ['cut_value'],
    oracle: (c) => churn.timeToChurn(states, churnAlertRows(), churnOutcomeRows(), c, ['watch', 'at_risk']),
  },
];

for (const { name, keys, params, oracle } of cases)
  test(`${name}${params?.['target_step'] ? ` (${String(params['from_step'])} -> ${String(params['target_step'])})` : ''} equals the JS computation for every cut`, async () => {
    for (const cut of CUTS) {
      const expected = oracle(cut);
      if (cut === 'all' && expected.length === 0) throw new Error(`${name}: the fixture gives no rows`);
      assertSameRows(await run(name, { ...params, cut }), expected, keys, `${name} cut=${cut}`);
    }
  });

test('highest-impact drop-offs: hand-checked ranking (volume vs ARR vs estimated lift)', async () => {
  const rows = await run('highest_impact_dropoffs', { fix_probability: 0.2 });
  assert.deepEqual(
    rows.map((r) => [
      r.stage,
      r.dropped,
      r.dropped_arr,
      r.estimated_lift_arr,
      r.rank_by_volume,
      r.rank_by_arr,
    ]),
    [
      ['engagement', 3, 2160, 1080, 1, 2], // 3 dropped x 1800 ARR of the one that expanded x 0.2
      ['acquisition', 1, 0, 302.4, 2, 3], // 1 x avg ARR of the 5 activated (1512) x 0.2
      ['activation', 1, 3600, 198, 2, 1], // the enterprise account stalled in activation holds the most ARR
    ],
  );
});

test('experiment lift and two-proportion z-test: treatment 3/3 vs control 2/3', async () => {
  const [control, treatment] = await run('experiment_conversion', { experiment: EXPERIMENT });
  assert.deepEqual(control, {
    variant: 'control',
    cut_value: 'all',
    n: 3,
    conversions: 2,
    conversion_rate: 0.6667,
    lift: 0,
    z: 0,
    p_value: 1,
  });
  assert.equal(treatment?.lift, 0.5);
  assert.equal(treatment?.z, 1.0954); // (1 - 2/3) / sqrt(5/6 * 1/6 * (1/3 + 1/3))
  assert.equal(treatment?.p_value, 0.2733);
});

test('churn score history of one account, oldest first', async () => {
  const rows = await run('churn_score_history', { account_key: 'acc_2' });
  assert.deepEqual(
    rows.map((r) => [r.scored_at, r.score, r.band]),
    [
      ['2026-02-10 00:00:00.000', 35, 'watch'],
      ['2026-02-20 00:00:00.000', 72, 'at_risk'],
    ],
  );
});

// A replay with other batch boundaries stores every snapshot, transition, score, alert and outcome
// a second time (other dedup tokens); FINAL / argMax / min keep every metric where it was.
test('every metric is unchanged when all account-side rows are stored twice', async () => {
  await loadMetricFixture(client, database, '500');
  const [stored] = await run('stalled_accounts', {});
  assert.ok(stored);
  const copies = await (
    await client.query({
      query: `SELECT count() AS n FROM ${database}.stage_transitions`,
      format: 'JSONEachRow',
    })
  ).json<{ n: number }>();
  assert.equal(Number(copies[0]?.n), 2 * transitions.length);
  for (const { name, keys, params, oracle } of cases)
    for (const cut of CUTS)
      assertSameRows(
        await run(name, { ...params, cut }),
        oracle(cut),
        keys,
        `after replay: ${name} cut=${cut}`,
      );
});
