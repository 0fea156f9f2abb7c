// `journey backfill`: half a year of one customer's history — Stripe's documented invoice.paid
// event, monthly, and Segment track calls — exported newest first, imported into the running
// pipeline with the ingest window raised to a year. Every event is stored, at its own event time,
// and the account's stages are dated by the history, not by the import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixture } from '../../services/ingest/fixtures/load-fixture.ts';
import { runBackfill } from '../../services/tools/backfill.ts';
import { runningPipeline } from '../support/running-pipeline.ts';
import { waitFor } from '../support/stack.ts';

const DAY = 86_400_000;
const NOW = Math.floor(Date.now() / DAY) * DAY;
const ACCOUNT = 'acc_backfill_1';

function invoicePaid(daysAgo: number): string {
  const event = loadFixture('stripe-invoice-paid.json') as Record<string, unknown> & {
    data: { object: Record<string, unknown> };
  };
  event['id'] = `evt_backfill_${daysAgo}`;
  event['created'] = Math.floor((NOW - daysAgo * DAY + 3_600_000) / 1000);
  event.data.object['id'] = `in_backfill_${daysAgo}`;
  event.data.object['metadata'] = { account_id: ACCOUNT };
  return JSON.stringify(event);
}

function tracked(daysAgo: number): string {
  const call = loadFixture('segment-track.json');
  const at = new Date(NOW - daysAgo * DAY + 10 * 3_600_000).toISOString();
  Object.assign(call, {
    messageId: `ajs-backfill-${daysAgo}`,
    userId: 'u_backfill_1',
    timestamp: at,
    sentAt: at,
    receivedAt: at,
    originalTimestamp: at,
    context: { ...(call['context'] as object), groupId: ACCOUNT },
  });
  return JSON.stringify(call);
}

const rows = async <T>(
  p: Awaited<ReturnType<typeof runningPipeline>>,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> =>
  (await p.clickhouse.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();

test('journey backfill: half a year exported newest first ends stored in full, dated by its own history', async (t) => {
  const p = await runningPipeline(t, { INGEST_MAX_PAST_DAYS: '365', INGEST_IDLE_SECONDS: '2' });
  const dir = mkdtempSync(join(tmpdir(), 'backfill-'));
  const invoices = [180, 150, 120, 90, 60, 30].map(invoicePaid);
  const tracks = Array.from({ length: 60 }, (_, i) => tracked(185 - 3 * i));
  const billing = join(dir, 'stripe.ndjson');
  const behavior = join(dir, 'segment.ndjson');
  writeFileSync(billing, `${[...invoices].reverse().join('\n')}\n`);
  writeFileSync(behavior, `${[...tracks].reverse().join('\n')}\n`);

  const out: string[] = [];
  const options = { dryRun: false, allowDeadLetters: false };
  assert.equal(await runBackfill(p.config, 'billing', billing, options, (l) => out.push(l)), 0);
  assert.equal(await runBackfill(p.config, 'behavior', behavior, options, (l) => out.push(l)), 0);
  for (const line of out) t.diagnostic(line);
  assert.match(out.join('\n'), /6 lines -> 6 events from .* in event-time order/s);

  const stored = await waitFor(
    'every backfilled event in ClickHouse',
    async () => {
      const [row] = await rows<{ n: string; first: string }>(
        p,
        `SELECT uniqExact(event_id) AS n, min(event_time) AS first FROM journey_events`,
      );
      return Number(row?.n) === 66 ? row : undefined;
    },
    120_000,
  );
  assert.equal(Date.parse(`${stored.first.replace(' ', 'T')}Z`), NOW - 185 * DAY + 10 * 3_600_000);
  const [state] = await waitFor(
    'the account past the first stage (account keys are pseudonymised: the only account)',
    async () => {
      const got = await rows<{ stage: string; entries: Record<string, string> }>(
        p,
        'SELECT stage, stage_entries AS entries FROM account_state FINAL',
      );
      return got[0]?.entries['engagement'] !== undefined ? got : undefined;
    },
    120_000,
  );
  assert.equal(state!.stage, 'engagement');
  assert.equal(
    Date.parse(`${state!.entries['acquisition']!.replace(' ', 'T')}Z`),
    NOW - 185 * DAY + 10 * 3_600_000,
    'first seen at the oldest tracked call',
  );
  const engaged = Date.parse(`${state!.entries['engagement']!.replace(' ', 'T')}Z`);
  assert.equal(engaged, NOW - 180 * DAY + 3_600_000, 'engagement entered at the first paid invoice');
  const [dlq] = await rows<{ n: string }>(p, 'SELECT count() AS n FROM dlq_events');
  assert.equal(Number(dlq?.n), 0);
});
