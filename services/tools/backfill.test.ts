import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../shared/config/config.ts';
import { loadFixture } from '../ingest/fixtures/load-fixture.ts';
import { backfillOrder, planBackfill, readNdjson, runBackfill } from './backfill.ts';

const DAY = 86_400_000;
// Relative to the clock: runBackfill checks against the time it runs, as the ingest does.
const NOW = Math.floor(Date.now() / 1000) * 1000;
const config = (env: Record<string, string> = {}) =>
  loadConfig({ PII_HMAC_KEY: 'backfill-test-key-0123456789abcdef', ...env });

/** Stripe's documented invoice.paid event, `daysAgo` days before NOW, for an account of ours. */
function invoicePaid(daysAgo: number, account: string): Buffer {
  const event = loadFixture('stripe-invoice-paid.json') as {
    id: string;
    created: number;
    data: { object: { metadata: Record<string, string> } };
  };
  event.id = `evt_backfill_${daysAgo}_${account}`;
  event.created = Math.floor((NOW - daysAgo * DAY) / 1000);
  event.data.object.metadata = { account_id: account };
  return Buffer.from(JSON.stringify(event));
}

test('every line is checked by the ingest core: keys, event times, and what it would dead-letter', async () => {
  const lines = [
    invoicePaid(10, 'acc_b'),
    Buffer.from('{"id": '),
    invoicePaid(200, 'acc_a'),
    invoicePaid(40, 'acc_a'),
  ];
  const strict = await planBackfill(config(), 'billing', lines, NOW);
  assert.deepEqual(
    strict.lines.map((l) => [l.line, l.key, l.deadLetters]),
    [
      [1, 'acc_b', []],
      [2, null, ['invalid_json']],
      [3, null, ['timestamp_out_of_window']],
      [4, 'acc_a', []],
    ],
  );
  assert.equal(strict.events, 2);

  const wide = await planBackfill(config({ INGEST_MAX_PAST_DAYS: '365' }), 'billing', lines, NOW);
  assert.deepEqual([...wide.deadLetters], [['invalid_json', 1]]);
  assert.equal(wide.oldest, NOW - 200 * DAY);
  assert.equal(wide.newest, NOW - 10 * DAY);
  assert.deepEqual(
    backfillOrder(wide.lines).map((l) => l.line),
    [3, 4, 1, 2],
    'oldest first, what would be dead-lettered last',
  );
});

test('a dry run reports and sends nothing; dead letters stop a real run unless allowed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'backfill-'));
  const file = join(dir, 'stripe.ndjson');
  writeFileSync(file, `${invoicePaid(200, 'acc_a').toString()}\n\n${invoicePaid(5, 'acc_a').toString()}\n`);
  assert.equal(readNdjson(file).length, 2, 'blank lines are skipped');
  const out: string[] = [];
  // No broker is configured here: a run that tried to send would fail, so exit 1 proves it stopped first.
  assert.equal(
    await runBackfill(config(), 'billing', file, { dryRun: true, allowDeadLetters: false }, (l) =>
      out.push(l),
    ),
    1,
  );
  assert.equal(
    await runBackfill(config(), 'billing', file, { dryRun: false, allowDeadLetters: false }, (l) =>
      out.push(l),
    ),
    1,
  );
  assert.match(out.join('\n'), /would be dead-lettered: timestamp_out_of_window x1/);
  assert.match(out.join('\n'), /raise INGEST_MAX_PAST_DAYS \(at most CLICKHOUSE_RETENTION_DAYS, 730\)/);
  assert.match(out.join('\n'), /nothing sent/);
  assert.equal(
    await runBackfill(
      config({ INGEST_MAX_PAST_DAYS: '365' }),
      'billing',
      file,
      { dryRun: true, allowDeadLetters: false },
      () => {},
    ),
    0,
  );
});
