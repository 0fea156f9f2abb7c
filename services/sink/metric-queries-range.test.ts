// The dashboards' and explorer's queries on the real ClickHouse engine (chdb): the at-risk list,
// one account's stage timeline and touchpoints, each against the fixture computed by hand or in
// plain JS; and the time range every metric query takes (docs/metrics.md): the fixture's whole
// span gives what the all-time default gives, and a narrower range selects what each query says.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createChdbTestClient } from '../../test/support/chdb-test-client.ts';
import { migrate } from './migrate.ts';
import { metricQueries, runMetricQuery } from './metric-queries.ts';
import type { MetricParamValue } from './metric-queries.ts';
import { loadMetricFixture } from '../../test/fixtures/metrics-fixture-load.ts';
import { ACCOUNTS } from '../../test/fixtures/metrics-fixture-accounts.ts';
import { FIXTURE_METRIC_PARAMS } from '../../test/fixtures/metric-fixture-params.ts';
import { FIXTURE_EVENTS, FIXTURE_OVERRIDES, t } from '../../test/fixtures/metrics-fixture.ts';

type Row = Record<string, unknown>;
const client = createChdbTestClient();
const database = 'metrics_range';
const run = (name: string, params: Record<string, MetricParamValue> = {}): Promise<Row[]> =>
  runMetricQuery<Row>(client, name, params, { database });
const ch = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const stageOf = (key: string): string => ACCOUNTS.find((a) => a.key === key)!.stages.at(-1)![0];
const SPAN = { from: '2026-01-01 00:00:00.000', to: '2026-04-01 00:00:00.000' };

before(async () => {
  await migrate(client, { database });
  await loadMetricFixture(client, database);
});

test('at_risk_accounts: last score per account in the range, paying and riskiest first, with the week-on-week change', async () => {
  const rows = await run('at_risk_accounts');
  assert.deepEqual(
    rows.map((r) => [r.account_key, r.score, r.band, r.score_change_7d, r.mrr_cents, r.stage]),
    [
      ['acc_6', 55, 'watch', 35, 12000, stageOf('acc_6')],
      ['acc_3', 48, 'watch', null, 8000, stageOf('acc_3')],
    ],
  );
  // acc_2 churned (its stage now): no longer someone to call, unless asked for.
  const withChurned = await run('at_risk_accounts', { exclude_stages: [] });
  assert.deepEqual(
    withChurned.map((r) => [r.account_key, r.score, r.band, r.score_change_7d, r.stage]),
    [
      ['acc_2', 72, 'at_risk', 37, stageOf('acc_2')],
      ['acc_6', 55, 'watch', 35, stageOf('acc_6')],
      ['acc_3', 48, 'watch', null, stageOf('acc_3')],
    ],
  );
  // Up to mid-February acc_2 was only watched and acc_6 healthy.
  const early = await run('at_risk_accounts', { to: '2026-02-15 00:00:00.000', exclude_stages: [] });
  assert.deepEqual(
    early.map((r) => [r.account_key, r.score, r.band]),
    [
      ['acc_3', 48, 'watch'],
      ['acc_2', 35, 'watch'],
    ],
  );
  assert.deepEqual(
    (await run('at_risk_accounts', { bands: ['at_risk'], exclude_stages: [], limit: 1 })).map(
      (r) => r.account_key,
    ),
    ['acc_2'],
  );
  assert.deepEqual(await run('at_risk_accounts', { bands: ['at_risk'] }), []);
});

test("account_stage_timeline: one account's transitions, with the hours spent in the stage it left", async () => {
  for (const account of ACCOUNTS) {
    // The sketch's stages in order: each transition leaves the previous one, entered at its time
    // (the first at the account's first-seen time).
    const times = account.stages.map(([, at]) => t(at));
    const expected = account.stages
      .slice(1)
      .map(([to], i) => [
        account.stages[i]![0],
        to,
        Math.round(((times[i + 1]! - times[i]!) / 3_600_000) * 100) / 100,
      ]);
    const rows = await run('account_stage_timeline', { account_key: account.key });
    assert.deepEqual(
      rows.map((r) => [r.from_stage, r.to_stage, r.hours_in_from_stage]),
      expected,
      account.key,
    );
    if (expected.length < 2) continue;
    // A range that starts after the first transition keeps the others, hours unchanged.
    const later = await run('account_stage_timeline', { account_key: account.key, from: ch(times[1]! + 1) });
    assert.deepEqual(
      later.map((r) => [r.from_stage, r.to_stage, r.hours_in_from_stage]),
      expected.slice(1),
    );
  }
});

test("account_touchpoints: the account's tickets, survey answers and billing, newest first, each once", async () => {
  for (const account of ['acc_1', 'acc_2']) {
    const seen = new Set<string>();
    const expected = FIXTURE_EVENTS.filter(
      (e) => e.account_id === account && ['tickets', 'surveys', 'billing'].includes(e.source),
    )
      .filter((e) => !seen.has(e.event_id) && seen.add(e.event_id))
      .sort((a, b) => b.event_time - a.event_time || a.event_id.localeCompare(b.event_id))
      .map((e) => [e.source, e.name, e.event_id]);
    assert.ok(expected.length > 0, account);
    const rows = await run('account_touchpoints', { account_key: account });
    assert.deepEqual(
      rows.map((r) => [r.source, r.name, r.event_id]),
      expected,
      account,
    );
    const tickets = await run('account_touchpoints', { account_key: account, sources: ['tickets'] });
    assert.deepEqual(
      tickets.map((r) => r.event_id),
      expected.filter(([source]) => source === 'tickets').map(([, , id]) => id),
    );
  }
});

test("account_people: the account's people with their activity, re-attributed through late merges", async () => {
  const overrides = new Map(FIXTURE_OVERRIDES.map((o) => [o.old_person_id, o.person_id]));
  for (const account of ['acc_1', 'acc_2', 'acc_3']) {
    const byPerson = new Map<string, { events: number; days: Set<string>; last: number }>();
    for (const e of FIXTURE_EVENTS) {
      if (e.account_id !== account || !['track', 'page', 'screen'].includes(e.type) || !e.person_id) continue;
      const person = overrides.get(e.person_id) ?? e.person_id;
      const p = byPerson.get(person) ?? { events: 0, days: new Set<string>(), last: 0 };
      p.events++;
      p.days.add(new Date(e.event_time).toISOString().slice(0, 10));
      p.last = Math.max(p.last, e.event_time);
      byPerson.set(person, p);
    }
    const expected = [...byPerson]
      .sort(([a, x], [b, y]) => y.last - x.last || a.localeCompare(b))
      .map(([person, p]) => [person, p.events, p.days.size]);
    assert.ok(expected.length > 0, account);
    const rows = await run('account_people', { account_key: account });
    assert.deepEqual(
      rows.map((r) => [r.person_id, r.events, r.active_days]),
      expected,
      account,
    );
  }
});

test("every query's range: the fixture's whole span gives what the all-time default gives, an empty one nothing", async () => {
  const values = FIXTURE_METRIC_PARAMS;

  for (const [name, query] of metricQueries()) {
    const names = new Set(query.params.map((p) => p.name));
    if (!names.has('from') || query.params.find((p) => p.name === 'from')!.type === 'Date') continue;
    const all = await run(name, values[name]);
    assert.deepEqual(await run(name, { ...values[name], ...SPAN }), all, name);
    // A range where nothing happened selects nothing.
    assert.deepEqual(
      await run(name, { ...values[name], from: '2031-01-01 00:00:00.000', to: '2031-02-01 00:00:00.000' }),
      [],
      name,
    );
  }
});

test('narrower ranges select what each query says', async () => {
  // churn_score_distribution: the last score of each account up to mid-February.
  const early = await run('churn_score_distribution', { to: '2026-02-15 00:00:00.000' });
  assert.deepEqual(
    early.map((r) => [r.bucket_from, r.accounts]),
    [
      [0, 1],
      [10, 1],
      [20, 1],
      [30, 1],
      [40, 1],
    ],
  );
  // time_to_churn: acc_2 churned on 10 March, acc_4 on 15 March.
  assert.deepEqual(await run('time_to_churn', { from: '2026-03-16 00:00:00.000' }), []);
  assert.equal((await run('time_to_churn', { to: '2026-03-11 00:00:00.000' }))[0]!.churned, 1);
  // stage_conversion: accounts entering activation in [from, to) only.
  const entered = (rows: Row[]): unknown => rows.find((r) => r.stage === 'activation')?.entered ?? 0;
  const januarySecondWeek = ACCOUNTS.filter((a) => {
    const at = a.stages.find(([s]) => s === 'activation')?.[1];
    return at !== undefined && t(at) >= t('2026-01-08 00:00') && t(at) < t('2026-01-15 00:00');
  }).length;
  assert.equal(
    entered(
      await run('stage_conversion', { from: '2026-01-08 00:00:00.000', to: '2026-01-15 00:00:00.000' }),
    ),
    januarySecondWeek,
  );
});
