// The main job as a user runs it (`make demo` = `journey demo`), read as they read it: the closing
// report against the generator's own truth, printed below it (issue #15: a believable report).
// The demo is seeded: the same accounts, funnel fates and churners every run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { statSync } from 'node:fs';
import { uniqueName } from '../support/stack.ts';
import { explorePages } from '../../scripts/explore-pages.ts';
import { loadJourneyMap } from '../../services/journey/journey-map.ts';
import { loadConfig } from '../../services/shared/config/config.ts';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import { metricQueries, runMetricQuery } from '../../services/sink/metric-queries.ts';
import { mapParamsFor } from '../../services/sink/map-metric-params.ts';

const map = loadJourneyMap('config/journeys/b2b-saas.yaml');

const run = promisify(execFile);

/** The data rows of the terminal table under `title`, as objects (columns split on 2+ spaces). */
function table(report: string, title: string): Array<Record<string, string>> {
  const lines = report.split('\n');
  const start = lines.findIndex((l) => l.startsWith(title));
  assert.ok(start >= 0, `no table "${title}" in the report`);
  const header = lines[start + 1]!.trim().split(/\s{2,}/);
  const rows = [];
  for (const line of lines.slice(start + 3)) {
    if (line.trim() === '') break;
    const cells = line.trim().split(/\s{2,}/);
    rows.push(Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
  }
  return rows;
}

test('make demo: churned accounts equal the planted churners, the at-risk share is near the decaying ones, the experiment reads as it happened; the explorer shows it in Chromium', async (t) => {
  const database = uniqueName('demo_report').replace(/[^A-Za-z0-9_]/g, '_');
  const { stdout, stderr } = await run('node', ['services/cli/main.ts', 'demo'], {
    env: {
      ...process.env,
      CLICKHOUSE_DATABASE: database,
      PII_HMAC_KEY: 'demo-report-test-pii-key-0123456789',
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = stdout.replace(/\r/g, '\n');
  for (const line of report
    .split('\n')
    .filter((l) => /What the generator|accounts; paying|experiment /.test(l)))
    t.diagnostic(line.trim());

  const truth =
    /(\d+) accounts; paying at the end (\d+); cancelled churners (\d+); decaying towards a cancellation (\d+)/.exec(
      report,
    );
  assert.ok(truth, 'the report prints the generator truth');
  // The terminal shows steps, progress and report; the stages' log lines are in the file.
  assert.doesNotMatch(report, /^\{"level"/m, 'no JSON log line on the terminal');
  assert.doesNotMatch(stderr, /^\{"level"/m, 'nor on stderr');
  assert.match(report, /Log: \.local\/logs\/demo\.log — \d+ warnings \(\d+ sent to DLQ/);
  // The live part went through the HTTP collector, and the demo waited for it in ClickHouse.
  assert.match(
    report,
    /40 logins from Segment's analytics-node; signed webhooks: 10 Stripe invoice\.paid, 10 Zendesk \(requesters and their tickets\), 5 Delighted NPS, 5 Typeform CSAT/,
  );
  assert.match(report, /a forged Stripe webhook refused \(400\), nothing written/);
  assert.match(report, /live events in ClickHouse: 70 of 70, 70 on the account they were sent for/);
  assert.doesNotMatch(
    report,
    /note: .* events and .* dead letters/,
    'every event, live ones included, arrived',
  );
  const [, , , churners, decaying] = truth.map(Number);
  const [now] = table(report, 'Accounts now');
  assert.equal(Number(now!['churned']), churners, 'churned accounts = planted cancellations');
  const atRisk = Number(now!['at_risk_stage']);
  t.diagnostic(`at risk ${atRisk}, decaying towards a cancellation ${decaying}`);
  assert.ok(
    atRisk >= 0.5 * decaying! && atRisk <= 1.5 * decaying!,
    `at risk ${atRisk} vs decaying ${decaying}`,
  );

  const happened = /control (\d+)\/(\d+) activated .*treatment (\d+)\/(\d+)/.exec(report);
  assert.ok(happened, 'the report prints the experiment as it happened');
  const [, cActivated, cExposed, tActivated, tExposed] = happened.map(Number);
  const experiment = table(report, 'Experiment onboarding_checklist_v2');
  const whole = experiment.filter((r) => r['step']!.startsWith('exposed ->'));
  assert.deepEqual(
    whole.map((r) => [r['variant'], Number(r['n']), Number(r['conversions'])]),
    [
      ['control', cExposed, cActivated],
      ['treatment', tExposed, tActivated],
    ],
    'exposed and activated per variant, exactly as the generator did',
  );
  // The lift is planted on the last step's own rate: read there, it is recovered (+20 % planted).
  const last = experiment.filter(
    (r) => r['step']!.endsWith('-> Created Report') && !r['step']!.startsWith('exposed'),
  );
  const lift = Number(last.find((r) => r['variant'] === 'treatment')!['lift']);
  t.diagnostic(`last step lift ${lift} (planted 0.2)`);
  assert.ok(Math.abs(lift - 0.2) < 0.1, `last step lift ${lift}`);

  // What `make demo` does next: the explorer's pages over the pipeline's own output, in Chromium,
  // each screenshotted, with the at-risk list the metric query's (browser numbers: explorer test).
  const figures = await explorePages({ ...process.env, CLICKHOUSE_DATABASE: database });
  for (const f of figures) t.diagnostic(`${f.page}: ${f.requests} queries, slowest ${f.slowestMs} ms`);
  assert.deepEqual(
    figures.map((f) => f.page.replace(/^\/account\/.*/, '/account')),
    ['/flow', '/dropoffs', '/activation', '/experiments', '/at-risk', '/account'],
  );
  for (const f of figures) {
    assert.ok(f.requests > 0, `${f.page} asked no metric query`);
    assert.deepEqual(f.errors, [], `${f.page}: console errors`);
    assert.ok(statSync(f.file).size > 10_000, `${f.file} is a real screenshot`);
  }
  // The at-risk page lists what at_risk_accounts finds in the pipeline's output.
  const client = createClickHouse(
    loadConfig({ ...process.env, PII_HMAC_KEY: 'demo-report-test-pii-key-0123456789' }),
    {
      database,
    },
  );
  try {
    const risky = await runMetricQuery<{ account_key: string }>(
      client,
      'at_risk_accounts',
      mapParamsFor(metricQueries().get('at_risk_accounts')!, map),
      { database },
    );
    assert.ok(risky.length > 0, 'the demo has accounts at risk');
    assert.deepEqual(
      figures.find((f) => f.page === '/at-risk')!.accounts,
      risky.map((r) => r.account_key),
    );
  } finally {
    await client.close();
  }
  // The experiment the generator planted is on the experiments page, read per funnel step.
  assert.ok(figures.find((f) => f.page === '/experiments')!.requests > map.funnel.steps.length);
});
