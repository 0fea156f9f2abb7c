// The collector's edges, against the real broker: gzip bodies (and a gzip bomb), the rate limit
// per write key, wrong methods and paths, a secret never logged or written, and HTTPS when
// COLLECTOR_TLS_* are set. Every refusal writes nothing and is counted by its reason.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startCollector } from '../../services/collector/collector-service.ts';
import type { RunningCollector } from '../../services/collector/collector-service.ts';
import { createCollectorMetrics } from '../../services/collector/collector-metrics.ts';
import type { PipelineConfig } from '../../services/shared/config/config.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { loadFixture } from '../../services/ingest/fixtures/load-fixture.ts';
import { freshPipeline } from '../support/pipeline.ts';
import { testKafka } from '../support/stack.ts';
import { freePort } from '../support/secure-broker.ts';

const WRITE_KEY = 'wk_limits_0123456789';
const auth = { authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` };

async function collectorOn(
  t: TestContext,
  overrides: Record<string, string>,
): Promise<{ config: PipelineConfig; collector: RunningCollector; url: string; logs: string[] }> {
  const { config } = await freshPipeline({ COLLECTOR_SEGMENT_WRITE_KEYS: WRITE_KEY, ...overrides });
  const logs: string[] = [];
  const log = createLogger('debug', { write: (line: string) => void logs.push(line) });
  const collector = await startCollector(config, log, { port: 0, metrics: createCollectorMetrics(false) });
  t.after(() => collector.close());
  return { config, collector, url: `http://127.0.0.1:${collector.port}`, logs };
}

async function messagesIn(topic: string): Promise<string[]> {
  const consumer = testKafka().consumer({ groupId: `limits-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  const admin = testKafka().admin();
  await admin.connect();
  const total = (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
  await admin.disconnect();
  const values: string[] = [];
  try {
    if (total === 0) return values;
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? '');
          if (values.length >= total) resolve();
        },
      });
    });
    return values;
  } finally {
    await consumer.disconnect();
  }
}

const track = (i: number) => ({ userId: `u${i}`, event: 'Logged In', messageId: `limits-${i}` });

test('gzip bodies are taken, a gzip bomb is 413, wrong methods and paths write nothing, the rate limit answers 429', async (t) => {
  const { config, collector, url, logs } = await collectorOn(t, { COLLECTOR_RATE_PER_KEY: '1' });
  const gz = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync(JSON.stringify({ batch: [track(1), track(2)] })),
  });
  assert.equal(gz.status, 200);
  assert.match(
    gz.headers.get('x-request-id') ?? '',
    /^[0-9a-f-]{36}$/,
    'a request id is made when none is given',
  );
  // 10 MB of zeros gzip to ~10 KB: refused once inflated past the limit.
  const bomb = await fetch(`${url}/v1/track`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync(Buffer.alloc(10_000_000, 0x20)),
  });
  assert.equal(bomb.status, 413);
  const get = await fetch(`${url}/v1/track`, { headers: { 'x-request-id': 'req-limits.1' } });
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('x-request-id'), 'req-limits.1', 'a plain request id is echoed');
  const odd = await fetch(`${url}/v1/track`, { headers: { 'x-request-id': 'a b <c>' } });
  assert.match(odd.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, 'any other is replaced');
  assert.equal((await fetch(`${url}/v2/track`, { method: 'POST', body: '{}' })).status, 404);

  // 1 request/s with bursts of 2 (refusals before the limit take no token): requests in a row
  // meet a 429 within a few (50 would have to take 48 s not to).
  const answers: Response[] = [];
  for (let i = 3; i < 53 && !answers.some((r) => r.status === 429); i++)
    answers.push(
      await fetch(`${url}/v1/track`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(track(i)),
      }),
    );
  const statuses = answers.map((r) => r.status);
  assert.ok(statuses.includes(429), `statuses ${statuses.join(',')}`);
  const limited = answers.find((r) => r.status === 429)!;
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);

  const written = await messagesIn(config.TOPIC_BEHAVIOR);
  const accepted = 2 + statuses.filter((s) => s === 200).length;
  assert.equal(written.length, accepted, 'one message per accepted call, none for a refusal');
  assert.ok(
    written.every((v) => !v.includes(WRITE_KEY)),
    'the write key is never written',
  );
  assert.ok(
    logs.every((l) => !l.includes(WRITE_KEY)),
    'nor logged',
  );
  const rejections = JSON.stringify(
    (await collector.metrics.registry.getMetricsAsJSON()).find(
      (m) => m.name === 'journey_collector_rejections_total',
    ),
  );
  for (const reason of ['body_too_large', 'method_not_allowed', 'unknown_path', 'rate_limited'])
    assert.ok(rejections.includes(reason), `${reason} counted`);
});

test('limits per source: a Segment call over 32 KB is 413 where a batch carries it, a webhook body limit and a request rate of one source leave the others alone', async (t) => {
  const stripeSecret = 'whsec_limits_per_source';
  const { config, url } = await collectorOn(t, {
    COLLECTOR_STRIPE_SECRETS: stripeSecret,
    COLLECTOR_ZENDESK_SECRETS: 'zendesk-limits-secret',
    COLLECTOR_MAX_BODY_BYTES_BY_SOURCE: 'zendesk=2048',
    COLLECTOR_RATE_PER_KEY_BY_SOURCE: 'stripe=1',
  });
  const segment = (path: string, body: unknown) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const big = { ...track(100), properties: { note: 'x'.repeat(40_000) } };
  const single = await segment('/v1/track', big);
  assert.equal(single.status, 413, "one call over Segment's 32 KB");
  assert.match(await single.text(), /at most 32768 bytes/);
  assert.equal((await segment('/v1/batch', { batch: [big] })).status, 200, 'a batch carries it');

  // 3 KB of Stripe event: over Zendesk's 2 KB here, within Stripe's default limit.
  const event = loadFixture('stripe-invoice-paid.json') as Record<string, unknown>;
  event['created'] = Math.floor(Date.now() / 1000);
  const stripe = (i: number) => {
    const body = JSON.stringify({ ...event, id: `evt_limits_${i}`, padding: 'p'.repeat(3_000) });
    const at = Math.floor(Date.now() / 1000);
    return fetch(`${url}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': `t=${at},v1=${createHmac('sha256', stripeSecret).update(`${at}.${body}`).digest('hex')}`,
      },
      body,
    });
  };
  const zendesk = await fetch(`${url}/webhooks/zendesk`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ padding: 'p'.repeat(3_000) }),
  });
  assert.equal(zendesk.status, 413, 'Zendesk: 2 KB');
  assert.match(await zendesk.text(), /at most 2048 bytes/);

  // Stripe: 1 request/s with bursts of 2; Segment: unlimited (COLLECTOR_RATE_PER_KEY 0).
  const stripeStatuses: number[] = [];
  for (let i = 0; i < 50 && !stripeStatuses.includes(429); i++) stripeStatuses.push((await stripe(i)).status);
  assert.equal(stripeStatuses[0], 200, 'a 3 KB Stripe event is within its limit');
  assert.ok(stripeStatuses.includes(429), `Stripe limited: ${stripeStatuses.join(',')}`);
  const segmentStatuses: number[] = [];
  for (let i = 0; i < 10; i++) segmentStatuses.push((await segment('/v1/track', track(200 + i))).status);
  assert.deepEqual(new Set(segmentStatuses), new Set([200]), "Segment not limited by Stripe's rate");
  assert.equal(
    (await messagesIn(config.TOPIC_BILLING)).length,
    stripeStatuses.filter((s) => s === 200).length,
    'one message per accepted Stripe event',
  );
});

test('HTTPS with COLLECTOR_TLS_CERT_FILE and COLLECTOR_TLS_KEY_FILE', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'collector-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const { collector } = await collectorOn(t, {
    COLLECTOR_TLS_CERT_FILE: join(dir, 'cert.pem'),
    COLLECTOR_TLS_KEY_FILE: join(dir, 'key.pem'),
  });
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: collector.port,
        path: '/v1/track',
        method: 'POST',
        ca: readFileSync(join(dir, 'cert.pem')),
        headers: { ...auth, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(track(1)));
  });
  assert.equal(status, 200);
  // Plain HTTP to the TLS port is not served.
  await assert.rejects(fetch(`http://127.0.0.1:${collector.port}/healthz`));
});

test('no broker at all (connection refused): 503 with Retry-After, /readyz 503, /healthz 200', async (t) => {
  const { config: base } = await freshPipeline({ COLLECTOR_SEGMENT_WRITE_KEYS: WRITE_KEY });
  const config = { ...base, KAFKA_BROKERS: `127.0.0.1:${await freePort()}`, COLLECTOR_ACK_TIMEOUT_MS: 1000 };
  const collector = await startCollector(config, createLogger('silent'), {
    port: 0,
    metrics: createCollectorMetrics(false),
  });
  t.after(() => collector.close());
  const url = `http://127.0.0.1:${collector.port}`;
  const answer = await fetch(`${url}/v1/track`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(track(1)),
  });
  assert.equal(answer.status, 503);
  assert.equal(answer.headers.get('retry-after'), '30');
  assert.equal((await fetch(`${url}/readyz`)).status, 503);
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  const rejections = JSON.stringify(
    (await collector.metrics.registry.getMetricsAsJSON()).find(
      (m) => m.name === 'journey_collector_rejections_total',
    ),
  );
  assert.ok(rejections.includes('kafka_unavailable'));
});
