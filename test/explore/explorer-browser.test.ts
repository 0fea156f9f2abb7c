// The journey explorer in a real browser (Debian's chromium driven by playwright-core) against the
// local ClickHouse loaded with the metric fixture: every page loads without a console error and
// draws its chart, the numbers in its tables are the metric queries' results (with the journey
// map's parameters and the page's filters), and a person can go from the at-risk list, or from a
// drop-off to the accounts behind it, to an account's page. The API refuses what a query does not
// declare, and the explorer refuses to serve beyond localhost without a password.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClickHouseClient } from '@clickhouse/client';
import { request } from 'node:http';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { migrate } from '../../services/sink/migrate.ts';
import { metricQueries, runMetricQuery } from '../../services/sink/metric-queries.ts';
import type { MetricParamValue } from '../../services/sink/metric-queries.ts';
import { mapParamsFor } from '../../services/sink/map-metric-params.ts';
import { loadJourneyMap } from '../../services/journey/journey-map.ts';
import { startExplorer } from '../../services/explore/explore-server.ts';
import type { Explorer } from '../../services/explore/explore-server.ts';
import { loadMetricFixture } from '../fixtures/metrics-fixture-load.ts';
import { testClickHouse, uniqueName } from '../support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const map = loadJourneyMap('config/journeys/b2b-saas.yaml');

describe('journey explorer in Chromium', () => {
  let client: ClickHouseClient;
  let explorer: Explorer;
  let browser: Browser;
  const database = uniqueName('explore');
  const expected = (name: string, params: Record<string, MetricParamValue> = {}) =>
    runMetricQuery(
      client,
      name,
      { ...mapParamsFor(metricQueries().get(name)!, map), ...params },
      { database },
    );

  before(async () => {
    client = testClickHouse();
    await migrate(client, { database });
    await loadMetricFixture(client, database);
    explorer = await startExplorer({ client, database, map, host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await explorer?.close();
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await client.close();
  });

  /** Opens `path`, waits for the page to render, and returns it with the console errors seen. */
  async function open(path: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${explorer.url}${path}`);
    await page.waitForSelector('main[aria-busy="false"]');
    return { page, errors };
  }
  const column = (page: Page, metric: string, col: string): Promise<string[]> =>
    page.$$eval(`table[data-metric="${metric}"] td[data-col="${col}"]`, (tds) =>
      tds.map((td) => td.textContent ?? ''),
    );
  const text = (v: unknown): string => (v === null || v === undefined ? '—' : String(v));

  test('journey flow: the stage funnel and the onboarding funnel are the metric queries', async () => {
    const { page, errors } = await open('/flow');
    const stages = await expected('stage_conversion');
    assert.ok(stages.length > 0);
    assert.deepEqual(
      await column(page, 'stage_conversion', 'entered'),
      stages.map((r) => text(r.entered)),
    );
    assert.deepEqual(
      await column(page, 'stage_conversion', 'stage'),
      stages.map((r) => text(r.stage)),
    );
    const funnel = await expected('onboarding_funnel');
    assert.deepEqual(
      await column(page, 'onboarding_funnel', 'reached'),
      funnel.map((r) => text(r.reached)),
    );
    assert.ok((await page.$$('section canvas')).length > 0, 'the funnel chart is drawn');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('activation and retention: cohorts and the retention heatmap are the metric queries', async () => {
    const { page, errors } = await open('/activation');
    const cohorts = await expected('activation_by_cohort');
    assert.ok(cohorts.length > 0);
    assert.deepEqual(
      await column(page, 'activation_by_cohort', 'signed_up'),
      cohorts.map((r) => text(r.signed_up)),
    );
    assert.deepEqual(
      await column(page, 'activation_by_cohort', 'rate_7d'),
      cohorts.map((r) => text(r.rate_7d)),
    );
    const retention = await expected('retention_by_cohort', { cut: 'all' });
    assert.deepEqual(
      await column(page, 'retention_by_cohort', 'retention_rate'),
      retention.map((r) => text(r.retention_rate)),
    );
    assert.ok((await page.$$('section canvas')).length >= 2, 'both charts are drawn');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('experiments: every funnel step per variant, with lift and z-test, as experiment_conversion reads it', async () => {
    const { page, errors } = await open('/experiments');
    const experiment = String((await expected('experiments', { cut: 'all' }))[0]!.experiment);
    const steps = map.funnel.steps.map((s) => (typeof s === 'string' ? s : s.event));
    const rows = [];
    for (let i = 1; i < steps.length; i++)
      rows.push(
        ...(await expected('experiment_conversion', {
          experiment,
          from_step: steps[i - 1]!,
          target_step: steps[i]!,
        })),
      );
    rows.push(...(await expected('experiment_conversion', { experiment, target_step: steps.at(-1)! })));
    assert.deepEqual(
      await column(page, 'experiment_conversion', 'conversions'),
      rows.map((r) => text(r.conversions)),
    );
    assert.deepEqual(
      await column(page, 'experiment_conversion', 'z'),
      rows.map((r) => text(r.z)),
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the filters narrow the numbers as the metric queries do', async () => {
    const { page, errors } = await open('/flow?from=2026-01-08&to=2026-01-14&cut=plan');
    const rows = await expected('stage_conversion', {
      from: '2026-01-08 00:00:00.000',
      to: '2026-01-15 00:00:00.000',
      cut: 'plan',
    });
    assert.deepEqual(
      await column(page, 'stage_conversion', 'entered'),
      rows.map((r) => text(r.entered)),
    );
    assert.deepEqual(
      await column(page, 'stage_conversion', 'cut_value'),
      rows.map((r) => text(r.cut_value)),
    );
    assert.equal(await page.inputValue('select[name="cut"]'), 'plan');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('at risk -> account: the list is at_risk_accounts, the account page its timeline, scores and touchpoints', async () => {
    const { page, errors } = await open('/at-risk');
    const risky = await expected('at_risk_accounts');
    assert.ok(risky.length > 0);
    assert.deepEqual(
      await column(page, 'at_risk_accounts', 'account_key'),
      risky.map((r) => text(r.account_key)),
    );
    assert.deepEqual(
      await column(page, 'at_risk_accounts', 'score'),
      risky.map((r) => text(r.score)),
    );
    const first = String(risky[0]!.account_key);
    await page.click(`table[data-metric="at_risk_accounts"] a:text-is("${first}")`);
    await page.waitForURL(`**/account/${first}`);
    await page.waitForSelector('main[aria-busy="false"]');
    assert.equal(await page.getAttribute('h1[data-account]', 'data-account'), first);
    const timeline = await expected('account_stage_timeline', { account_key: first });
    assert.deepEqual(
      await column(page, 'account_stage_timeline', 'to_stage'),
      timeline.map((r) => text(r.to_stage)),
    );
    const scores = await expected('churn_score_history', { account_key: first });
    assert.deepEqual(
      await column(page, 'churn_score_history', 'score'),
      scores.map((r) => text(r.score)),
    );
    const people = await expected('account_people', { account_key: first });
    assert.deepEqual(
      await column(page, 'account_people', 'person_id'),
      people.map((r) => text(r.person_id)),
    );
    assert.deepEqual(
      await column(page, 'account_people', 'events'),
      people.map((r) => text(r.events)),
    );
    const touchpoints = await expected('account_touchpoints', { account_key: first });
    assert.deepEqual(
      await column(page, 'account_touchpoints', 'name'),
      touchpoints.map((r) => text(r.name)),
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('at risk, filtered by band', async () => {
    const { page, errors } = await open('/at-risk');
    await page.click('a[data-band="at_risk"]');
    await page.waitForURL((u) => u.pathname === '/at-risk' && u.searchParams.get('band') === 'at_risk');
    await page.waitForSelector('main[aria-busy="false"]');
    const rows = await expected('at_risk_accounts', { bands: ['at_risk'] });
    assert.deepEqual(
      await column(page, 'at_risk_accounts', 'account_key'),
      rows.map((r) => text(r.account_key)),
    );
    assert.ok(rows.every((r) => r.band === 'at_risk'));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('drop-offs -> the accounts behind a stage -> an account', async () => {
    const { page, errors } = await open('/dropoffs');
    const rows = await expected('highest_impact_dropoffs');
    assert.deepEqual(
      await column(page, 'highest_impact_dropoffs', 'dropped'),
      rows.map((r) => text(r.dropped)),
    );
    const stage = String(rows.find((r) => Number(r.dropped) > 0)!.stage);
    await page.click(`table[data-metric="highest_impact_dropoffs"] a:text-is("${stage}")`);
    await page.waitForURL(`**/dropoffs/${stage}`);
    await page.waitForSelector('main[aria-busy="false"]');
    const dropped = await expected('dropped_accounts', { stage });
    assert.ok(dropped.length > 0);
    assert.deepEqual(
      await column(page, 'dropped_accounts', 'account_key'),
      dropped.map((r) => text(r.account_key)),
    );
    const account = String(dropped[0]!.account_key);
    await page.click(`table[data-metric="dropped_accounts"] a:text-is("${account}")`);
    await page.waitForURL(`**/account/${account}`);
    await page.waitForSelector('main[aria-busy="false"]');
    assert.equal(await page.getAttribute('h1[data-account]', 'data-account'), account);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the API takes only what a query declares, read-only', async () => {
    const get = (path: string, init?: RequestInit) => fetch(`${explorer.url}${path}`, init);
    assert.equal((await get('/api/metric/stage_conversion?cut=plan')).status, 200);
    assert.equal((await get('/api/metric/stage_conversion?nope=1')).status, 400);
    assert.equal((await get('/api/metric/at_risk_accounts?limit=ten')).status, 400);
    assert.equal((await get('/api/metric/at_risk_accounts?limit=1.5')).status, 400);
    assert.equal((await get("/api/metric/stage_conversion?from=2026-01-01'; DROP TABLE x")).status, 400);
    assert.equal((await get('/api/metric/stage_conversion?cut=nonsense')).status, 400);
    assert.equal((await get('/api/metric/no_such_metric')).status, 404);
    assert.equal((await get('/api/metric/stage_conversion', { method: 'POST' })).status, 405);
  });
});

test('without a password the explorer answers loopback host names only (no DNS rebinding)', async () => {
  const client = testClickHouse();
  const explorer = await startExplorer({ client, database: 'journey', map, host: '127.0.0.1', port: 0 });
  try {
    const { port } = new URL(explorer.url);
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/flow', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    assert.equal(await status(`localhost:${port}`), 200);
    assert.equal(await status(`127.0.0.1:${port}`), 200);
    assert.equal(await status(`attacker.example:${port}`), 403);
    assert.equal(await status('127.0.0.1.attacker.example'), 403);
  } finally {
    await explorer.close();
    await client.close();
  }
});

test('beyond localhost the explorer needs a password, and asks for it', async () => {
  const client = testClickHouse();
  try {
    await assert.rejects(
      startExplorer({ client, database: 'journey', map, host: '0.0.0.0', port: 0 }),
      /EXPLORE_TOKEN is required/,
    );
    const token = 'a-long-explorer-password';
    const explorer = await startExplorer({
      client,
      database: 'journey',
      map,
      host: '127.0.0.1',
      port: 0,
      token,
    });
    try {
      const none = await fetch(`${explorer.url}/flow`);
      assert.equal(none.status, 401);
      assert.match(none.headers.get('www-authenticate') ?? '', /Basic/);
      const wrong = await fetch(`${explorer.url}/flow`, {
        headers: { authorization: `Basic ${Buffer.from('me:wrong-password-here!!').toString('base64')}` },
      });
      assert.equal(wrong.status, 401);
      const right = await fetch(`${explorer.url}/flow`, {
        headers: { authorization: `Basic ${Buffer.from(`me:${token}`).toString('base64')}` },
      });
      assert.equal(right.status, 200);
    } finally {
      await explorer.close();
    }
  } finally {
    await client.close();
  }
});
