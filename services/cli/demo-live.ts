// The demo's live traffic, through the HTTP collector as production traffic arrives: after the
// history, the paying accounts' users log in through Segment's own Node library pointed at
// `journey collect`, and Stripe posts their invoices as signed webhooks. Every request is answered
// only once Kafka has it; the demo then waits for these events in ClickHouse like the others.
import { createHmac, randomBytes } from 'node:crypto';
import type { PipelineConfig } from '../shared/config/config.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import { loadFixture } from '../ingest/fixtures/load-fixture.ts';
import { startCollector } from '../collector/collector-service.ts';
import { createCollectorMetrics } from '../collector/collector-metrics.ts';
import type { GroundTruth } from '../workload/ground-truth.ts';

export interface LiveTraffic {
  /** Event ids the ingest derives for what was sent (behavior:<messageId>, billing:<evt id>). */
  eventIds: string[];
  segmentCalls: number;
  webhooks: number;
  refusedForged: boolean;
}

const LIVE_ACCOUNTS = 40;
const INVOICES = 10;

export async function sendLiveTraffic(
  config: PipelineConfig,
  truth: GroundTruth,
  runId: string,
  log: Logger,
): Promise<LiveTraffic> {
  const writeKey = `wk_demo_${randomBytes(8).toString('hex')}`;
  const stripeSecret = `whsec_demo_${randomBytes(16).toString('hex')}`;
  const collector = await startCollector(
    { ...config, COLLECTOR_SEGMENT_WRITE_KEYS: writeKey, COLLECTOR_STRIPE_SECRETS: stripeSecret },
    log,
    { port: 0, metrics: createCollectorMetrics(false) },
  );
  const url = `http://127.0.0.1:${collector.port}`;
  try {
    // Loaded here: only the demo needs Segment's library.
    const { Analytics } = await import('@segment/analytics-node');
    const analytics = new Analytics({ writeKey, host: url, flushAt: 20, flushInterval: 200 });
    // Healthy paying accounts (not the planted decaying ones, whose silence the report shows).
    const decaying = new Set(truth.decaying.map((d) => d.accountId));
    const accounts = truth.retained.filter((a) => !decaying.has(a)).slice(0, LIVE_ACCOUNTS);
    const eventIds: string[] = [];
    accounts.forEach((accountId, i) => {
      const userId = truth.accounts[accountId]?.members[0];
      if (!userId) return;
      const messageId = `live-${runId}-${i}`;
      analytics.track({ userId, messageId, event: 'Logged In', context: { groupId: accountId } });
      eventIds.push(`behavior:${messageId}`);
    });
    await analytics.closeAndFlush({ timeout: 30_000 });

    let webhooks = 0;
    for (const [i, accountId] of accounts.slice(0, INVOICES).entries()) {
      const event = loadFixture('stripe-invoice-paid.json') as Record<string, unknown> & {
        data: { object: Record<string, unknown> };
      };
      const id = `evt_live_${runId}_${i}`;
      event['id'] = id;
      event['created'] = Math.floor(Date.now() / 1000);
      event.data.object['id'] = `in_live_${runId}_${i}`;
      event.data.object['metadata'] = { account_id: accountId };
      const body = JSON.stringify(event);
      const answer = await post(`${url}/webhooks/stripe`, body, signStripe(body, stripeSecret));
      if (answer !== 200) throw new Error(`the collector answered ${answer} to a signed Stripe webhook`);
      eventIds.push(`billing:${id}`);
      webhooks++;
    }
    // And one forgery: refused, nothing written.
    const forged = await post(
      `${url}/webhooks/stripe`,
      '{"id":"evt_forged"}',
      signStripe('{}', stripeSecret),
    );
    return { eventIds, segmentCalls: accounts.length, webhooks, refusedForged: forged === 400 };
  } finally {
    await collector.close();
  }
}

function signStripe(body: string, secret: string): string {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

async function post(url: string, body: string, signature: string): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
  });
  await res.arrayBuffer();
  return res.status;
}
