// `journey collect` against the running stack: Segment's own Node library (`@segment/analytics-node`)
// pointed at the collector, and each vendor's webhook signed as the vendor signs it (Stripe with
// Stripe's own library), reach ClickHouse through the whole pipeline; wrongly signed requests are
// refused and write nothing; with Kafka unavailable the collector answers 503 with Retry-After and
// the vendor's retry, once Kafka is back, is stored once.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Analytics } from '@segment/analytics-node';
import Stripe from 'stripe';
import { loadFixture } from '../../services/ingest/fixtures/load-fixture.ts';
import { startCollector } from '../../services/collector/collector-service.ts';
import type { RunningCollector } from '../../services/collector/collector-service.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createCollectorMetrics } from '../../services/collector/collector-metrics.ts';
import { freezeService, thawService } from '../../services/chaos/stack-control.ts';
import { runningPipeline } from '../support/running-pipeline.ts';
import type { RunningPipeline } from '../support/running-pipeline.ts';
import { testKafka, waitFor } from '../support/stack.ts';
import { freshPipeline } from '../support/pipeline.ts';

const SECRETS = {
  COLLECTOR_SEGMENT_WRITE_KEYS: 'wk_test_collector_1,wk_test_collector_2',
  COLLECTOR_STRIPE_SECRETS: 'whsec_rotated_out,whsec_current_1234',
  COLLECTOR_ZENDESK_SECRETS: 'zendesk-signing-secret',
  COLLECTOR_TYPEFORM_SECRETS: 'typeform-secret',
  COLLECTOR_DELIGHTED_TOKENS: 'delighted-token-1234',
  COLLECTOR_ACK_TIMEOUT_MS: '3000',
};
const ACCOUNT = 'acc_collector_1';
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

async function withCollector(
  t: TestContext,
  overrides: Record<string, string> = {},
): Promise<{ p: RunningPipeline; collector: RunningCollector; url: string }> {
  const p = await runningPipeline(t, { ...SECRETS, INGEST_IDLE_SECONDS: '2', ...overrides });
  const collector = await startCollector(p.config, createLogger('silent'), {
    port: 0,
    metrics: createCollectorMetrics(false),
  });
  t.after(() => collector.close());
  return { p, collector, url: `http://127.0.0.1:${collector.port}` };
}

const rows = async <T>(
  p: RunningPipeline,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> =>
  (await p.clickhouse.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();

const names = async (p: RunningPipeline): Promise<Map<string, number>> =>
  new Map(
    (
      await rows<{ name: string; n: string }>(
        p,
        'SELECT name, uniqExact(event_id) AS n FROM journey_events GROUP BY name',
      )
    ).map((r) => [r.name, Number(r.n)]),
  );

const post = (url: string, body: string, headers: Record<string, string>) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

function stripeEvent(id: string): string {
  const event = loadFixture('stripe-invoice-paid.json') as Record<string, unknown> & {
    data: { object: Record<string, unknown> };
  };
  event['id'] = id;
  event['created'] = Math.floor((Date.now() - 3_600_000) / 1000);
  event.data.object['id'] = `in_${id}`;
  event.data.object['metadata'] = { account_id: ACCOUNT };
  return JSON.stringify(event);
}

const stripeSignature = (payload: string, secret: string): string =>
  new Stripe('sk_test_unused').webhooks.generateTestHeaderString({ payload, secret });

async function rawCount(topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

test('Segment analytics-node and signed Stripe, Zendesk, Delighted and Typeform webhooks reach ClickHouse; wrong signatures write nothing', async (t) => {
  const { p, collector, url } = await withCollector(t);

  // Segment's library, unchanged but for its host: batches of calls to /v1/batch, basic auth.
  const analytics = new Analytics({
    writeKey: 'wk_test_collector_2',
    host: url,
    flushAt: 5,
    flushInterval: 200,
    maxRetries: 3,
  });
  analytics.identify({ userId: 'u_collector_1', traits: { email: 'ada@example.com' } });
  analytics.group({
    userId: 'u_collector_1',
    groupId: ACCOUNT,
    traits: { name: 'Collector Ltd', employees: 40 },
  });
  for (let i = 0; i < 8; i++)
    analytics.track({
      userId: 'u_collector_1',
      event: 'Logged In',
      timestamp: new Date(Date.now() - (i + 1) * 3_600_000),
      context: { groupId: ACCOUNT },
    });
  await analytics.closeAndFlush({ timeout: 20_000 });

  // Each webhook signed as its vendor signs it.
  const stripeBody = stripeEvent('evt_collector_paid_1');
  const stripe = await post(`${url}/webhooks/stripe`, stripeBody, {
    'stripe-signature': stripeSignature(stripeBody, 'whsec_current_1234'),
  });
  assert.equal(stripe.status, 200);
  const ticket = loadFixture('zendesk-event-ticket-created.json') as Record<string, unknown> & {
    detail: Record<string, unknown>;
  };
  ticket['time'] = iso(7_200_000);
  ticket.detail['created_at'] = iso(7_200_000);
  ticket.detail['updated_at'] = iso(7_200_000);
  const ticketBody = JSON.stringify(ticket);
  const timestamp = iso(0);
  const zendesk = await post(`${url}/webhooks/zendesk`, ticketBody, {
    'x-zendesk-webhook-signature': createHmac('sha256', 'zendesk-signing-secret')
      .update(timestamp + ticketBody)
      .digest('base64'),
    'x-zendesk-webhook-signature-timestamp': timestamp,
  });
  assert.equal(zendesk.status, 200);
  const response = loadFixture('delighted-survey-response-updated.json') as Record<string, unknown> & {
    event_data: Record<string, unknown>;
  };
  response.event_data['created_at'] = Math.floor((Date.now() - 3_600_000) / 1000);
  response.event_data['updated_at'] = Math.floor((Date.now() - 3_000_000) / 1000);
  const delighted = await post(
    `${url}/webhooks/delighted?token=delighted-token-1234`,
    JSON.stringify(response),
    {},
  );
  assert.equal(delighted.status, 200);
  const form = loadFixture('typeform-form-response.json') as Record<string, unknown> & {
    form_response: Record<string, unknown>;
  };
  // Typeform's example asks about the weather: its opinion scale becomes a CSAT question here.
  const definition = form.form_response['definition'] as { fields: Array<Record<string, unknown>> };
  for (const field of definition.fields) if (field['id'] === 'NRsxU591jIW9') field['ref'] = 'csat';
  form.form_response['submitted_at'] = iso(3_600_000);
  form.form_response['landed_at'] = iso(3_700_000);
  const formBody = JSON.stringify(form);
  const typeform = await post(`${url}/webhooks/typeform`, formBody, {
    'typeform-signature': `sha256=${createHmac('sha256', 'typeform-secret').update(formBody).digest('base64')}`,
  });
  assert.equal(typeform.status, 200);

  // Wrongly signed or keyed: refused, nothing written.
  const rawBefore = await Promise.all(
    [p.config.TOPIC_BEHAVIOR, p.config.TOPIC_BILLING, p.config.TOPIC_TICKETS, p.config.TOPIC_SURVEYS].map(
      rawCount,
    ),
  );
  const forged = stripeEvent('evt_collector_forged');
  const refused = [
    await post(`${url}/webhooks/stripe`, forged, {
      'stripe-signature': stripeSignature(forged, 'whsec_attacker'),
    }),
    await post(`${url}/webhooks/stripe`, forged, {}),
    await post(`${url}/webhooks/zendesk`, ticketBody, {
      'x-zendesk-webhook-signature': createHmac('sha256', 'wrong')
        .update(timestamp + ticketBody)
        .digest('base64'),
      'x-zendesk-webhook-signature-timestamp': timestamp,
    }),
    await post(`${url}/webhooks/typeform`, formBody, { 'typeform-signature': 'sha256=bm90IGl0' }),
    await post(`${url}/webhooks/delighted?token=guess`, JSON.stringify(response), {}),
    await post(`${url}/v1/track`, JSON.stringify({ userId: 'x', event: 'Forged' }), {
      authorization: `Basic ${Buffer.from('wk_guess:').toString('base64')}`,
    }),
  ];
  assert.deepEqual(
    refused.map((r) => r.status),
    [400, 401, 400, 400, 401, 401],
  );
  const big = await post(`${url}/v1/track`, JSON.stringify({ userId: 'x', event: 'x'.repeat(600_000) }), {
    authorization: `Basic ${Buffer.from('wk_test_collector_1:').toString('base64')}`,
  });
  assert.equal(big.status, 413);

  const stored = await waitFor(
    'every collected event in ClickHouse',
    async () => {
      const got = await names(p);
      const want = ['Logged In', 'invoice.paid'];
      return want.every((n) => got.has(n)) && (got.get('Logged In') ?? 0) === 8 && got.size >= 6
        ? got
        : undefined;
    },
    60_000,
  );
  t.diagnostic(JSON.stringify([...stored]));
  assert.equal(stored.get('invoice.paid'), 1);
  assert.ok(![...stored.keys()].includes('Forged'));
  const dlq = await rows(p, 'SELECT reason, step, detail, source_topic FROM dlq_events');
  assert.deepEqual(dlq, [], 'every collected body accepted by the ingest');
  const rawAfter = await Promise.all(
    [p.config.TOPIC_BEHAVIOR, p.config.TOPIC_BILLING, p.config.TOPIC_TICKETS, p.config.TOPIC_SURVEYS].map(
      rawCount,
    ),
  );
  assert.deepEqual(rawAfter, rawBefore, 'refused requests wrote nothing');
  const metrics = await collector.metrics.registry.getSingleMetricAsString(
    'journey_collector_rejections_total',
  );
  assert.match(
    metrics,
    /reason="signature_mismatch",source="stripe"|source="stripe",reason="signature_mismatch"/,
  );
});

test('Kafka unavailable: 503 with Retry-After and nothing lost; the retry once Kafka is back is stored once', async (t) => {
  // The broker is frozen (SIGSTOP: it accepts nothing and answers nothing, as a hung or
  // partitioned broker), not restarted, so every other client on the shared stack just waits. A
  // refused connection is collector-limits.test.ts's. The stages start once the broker is back.
  const { config } = await freshPipeline(SECRETS);
  const collector = await startCollector(config, createLogger('silent'), {
    port: 0,
    metrics: createCollectorMetrics(false),
  });
  t.after(() => collector.close());
  const url = `http://127.0.0.1:${collector.port}`;
  const signed = (id: string) => {
    const body = stripeEvent(id);
    return () =>
      post(`${url}/webhooks/stripe`, body, {
        'stripe-signature': stripeSignature(body, 'whsec_current_1234'),
      });
  };
  assert.equal((await signed('evt_collector_before')()).status, 200);

  const retry = signed('evt_collector_outage_1');
  freezeService('kafka');
  let during: Response;
  let readyDuring: number;
  try {
    during = await retry();
    readyDuring = (await fetch(`${url}/readyz`)).status;
  } finally {
    thawService('kafka');
  }
  assert.equal(during.status, 503);
  assert.equal(during.headers.get('retry-after'), '30');
  assert.equal(readyDuring, 503);

  // Stripe retries; the collector's producer reconnects on its own.
  await waitFor(
    'the retry accepted',
    async () => ((await retry()).status === 200 ? true : undefined),
    60_000,
    1_000,
  );
  const [outage] = await collector.metrics.registry
    .getMetricsAsJSON()
    .then((all) => all.filter((m) => m.name === 'journey_collector_rejections_total'));
  assert.ok(JSON.stringify(outage).includes('kafka_unavailable'));

  const p = await runningPipeline(t, {}, config);
  const stored = await waitFor(
    'both events in ClickHouse',
    async () => {
      const [row] = await rows<{ n: string }>(
        p,
        "SELECT count() AS n FROM journey_events WHERE name = 'invoice.paid'",
      );
      return Number(row?.n) >= 2 ? Number(row?.n) : undefined;
    },
    90_000,
  );
  assert.equal(stored, 2, 'the event before the outage and the retried one, each once');
  const [dlq] = await rows<{ n: string }>(p, 'SELECT count() AS n FROM dlq_events');
  assert.equal(Number(dlq?.n), 0);
});
