// The demo's live traffic, through the HTTP collector as production traffic arrives: after the
// history, the paying accounts' users log in through Segment's own Node library pointed at
// `journey collect`, Stripe posts their invoices, Zendesk their support requesters and tickets,
// Delighted an NPS answer and Typeform a CSAT form, each as a webhook signed as its vendor signs
// it. Every request is answered only once Kafka has it; the demo then waits for these events in
// ClickHouse like the others.
import { randomBytes } from 'node:crypto';
import type { PipelineConfig } from '../shared/config/config.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import { loadFixture } from '../ingest/fixtures/load-fixture.ts';
import { startCollector } from '../collector/collector-service.ts';
import { createCollectorMetrics } from '../collector/collector-metrics.ts';
import type { GroundTruth } from '../workload/ground-truth.ts';
import {
  delightedNpsResponse,
  typeformCsatResponse,
  zendeskTicketCreated,
  zendeskUserCreated,
} from '../workload/mechanisms/vendor-payloads.ts';
import { postWebhook } from './demo-webhooks.ts';
import type { WebhookSecrets, WebhookVendor } from './demo-webhooks.ts';

export interface LiveTraffic {
  /** What was sent: the event id the ingest derives (behavior:<messageId>, billing:<evt id>, …)
   * and the account it is about. */
  events: Array<{ id: string; account: string }>;
  segmentCalls: number;
  /** Signed webhooks answered 200, by vendor. */
  webhooks: Record<WebhookVendor, number>;
  refusedForged: boolean;
}

const LIVE_ACCOUNTS = 40;
const INVOICES = 10;
/** Accounts whose users also reach support and answer surveys (happily: these accounts are healthy). */
const VOICES = 5;

const secret = (prefix: string): string => `${prefix}_${randomBytes(16).toString('hex')}`;

export async function sendLiveTraffic(
  config: PipelineConfig,
  truth: GroundTruth,
  runId: string,
  log: Logger,
): Promise<LiveTraffic> {
  const writeKey = secret('wk_demo');
  const secrets: WebhookSecrets = {
    stripe: secret('whsec_demo'),
    zendesk: secret('zendesk_demo'),
    typeform: secret('typeform_demo'),
    delighted: secret('delighted_demo'),
  };
  const collector = await startCollector(
    {
      ...config,
      COLLECTOR_SEGMENT_WRITE_KEYS: writeKey,
      COLLECTOR_STRIPE_SECRETS: secrets.stripe,
      COLLECTOR_ZENDESK_SECRETS: secrets.zendesk,
      COLLECTOR_TYPEFORM_SECRETS: secrets.typeform,
      COLLECTOR_DELIGHTED_TOKENS: secrets.delighted,
    },
    log,
    { port: 0, metrics: createCollectorMetrics(false) },
  );
  const url = `http://127.0.0.1:${collector.port}`;
  const webhooks: Record<WebhookVendor, number> = { stripe: 0, zendesk: 0, delighted: 0, typeform: 0 };
  const events: LiveTraffic['events'] = [];
  const send = async (
    vendor: WebhookVendor,
    body: Record<string, unknown>,
    id: string,
    account: string,
  ): Promise<void> => {
    const status = await postWebhook(url, vendor, JSON.stringify(body), secrets);
    if (status !== 200) throw new Error(`the collector answered ${status} to a signed ${vendor} webhook`);
    webhooks[vendor]++;
    events.push({ id, account });
  };
  try {
    // Loaded here: only the demo needs Segment's library.
    const { Analytics } = await import('@segment/analytics-node');
    const analytics = new Analytics({ writeKey, host: url, flushAt: 20, flushInterval: 200 });
    // Healthy paying accounts (not the planted decaying ones, whose silence the report shows).
    const decaying = new Set(truth.decaying.map((d) => d.accountId));
    const accounts = truth.retained
      .filter((a) => !decaying.has(a) && truth.accounts[a]?.members[0])
      .slice(0, LIVE_ACCOUNTS);
    accounts.forEach((accountId, i) => {
      const userId = truth.accounts[accountId]!.members[0]!;
      const messageId = `live-${runId}-${i}`;
      analytics.track({ userId, messageId, event: 'Logged In', context: { groupId: accountId } });
      events.push({ id: `behavior:${messageId}`, account: accountId });
    });
    await analytics.closeAndFlush({ timeout: 30_000 });

    for (const [i, accountId] of accounts.slice(0, INVOICES).entries()) {
      const event = loadFixture('stripe-invoice-paid.json') as Record<string, unknown> & {
        data: { object: Record<string, unknown> };
      };
      const id = `evt_live_${runId}_${i}`;
      event['id'] = id;
      event['created'] = Math.floor(Date.now() / 1000);
      event.data.object['id'] = `in_live_${runId}_${i}`;
      event.data.object['metadata'] = { account_id: accountId };
      await send('stripe', event, `billing:${id}`, accountId);
    }

    const at = Date.now() - 60_000;
    for (const [i, accountId] of accounts.slice(0, VOICES).entries()) {
      const userId = truth.accounts[accountId]!.members[0]!;
      const email = `live.${i}.${runId}@example.test`;
      // Zendesk names its own user and ticket ids (numbers): the user event ties the requester to
      // the product's user. Each demo run has its own topics, state and database.
      const requesterId = String(990_000_100 + i);
      const userEvent = `zd-user-${runId}-${i}`;
      await send(
        'zendesk',
        zendeskUserCreated({ eventId: userEvent, requesterId, userId, email, atMs: at }),
        `tickets:zendesk:${userEvent}`,
        accountId,
      );
      const ticketEvent = `zd-ticket-${runId}-${i}`;
      await send(
        'zendesk',
        zendeskTicketCreated({
          eventId: ticketEvent,
          ticketId: String(990_000_200 + i),
          requesterId,
          priority: 'LOW',
          subject: 'How do I export a report?',
          atMs: at + 1000,
        }),
        `tickets:zendesk:${ticketEvent}`,
        accountId,
      );
      const responseId = `live-${runId}-${i}`;
      await send(
        'delighted',
        delightedNpsResponse({
          eventId: `dl-${runId}-${i}`,
          responseId,
          personId: `${i + 1}`,
          email,
          userId,
          accountId,
          score: 9 + (i % 2),
          comment: 'Fast and reliable.',
          atMs: at + 2000,
        }),
        `surveys:delighted:response:${responseId}`,
        accountId,
      );
      const token = `tf${runId}${i}`;
      await send(
        'typeform',
        typeformCsatResponse({
          eventId: `tf-${runId}-${i}`,
          token,
          userId,
          accountId,
          score: 5,
          atMs: at + 3000,
        }),
        `surveys:typeform:${token}`,
        accountId,
      );
    }

    // And one forgery: refused, nothing written.
    const forged = await postWebhook(url, 'stripe', '{"id":"evt_forged"}', {
      ...secrets,
      stripe: secret('whsec_wrong'),
    });
    return { events, segmentCalls: accounts.length, webhooks, refusedForged: forged === 400 };
  } finally {
    await collector.close();
  }
}
