import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { loadFixture } from '../ingest/fixtures/load-fixture.ts';
import { collectRequest, routeOf } from './collect-request.ts';
import type { CollectInput, CollectorRules } from './collect-request.ts';

const rules: CollectorRules = {
  topics: {
    behavior: 'raw.behavior',
    tickets: 'raw.tickets',
    surveys: 'raw.surveys',
    billing: 'raw.billing',
  },
  segmentWriteKeys: ['wk_live'],
  stripeSecrets: ['whsec_1'],
  stripeToleranceSeconds: 300,
  zendeskSecrets: ['zd'],
  typeformSecrets: ['tf'],
  delightedTokens: ['dl-token'],
  maxBatchEvents: 3,
};
const NOW = Date.UTC(2026, 11, 4, 5);
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

const request = (
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  query = '',
): CollectInput => ({
  path,
  query: new URLSearchParams(query),
  headers,
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  nowMs: NOW,
  requestId: 'req-1',
});

test('routes: Segment API paths and the four webhooks; anything else is 404', () => {
  for (const p of ['/v1/track', '/v1/batch', '/v1/import', '/v1/identify/'])
    assert.equal(routeOf(p), 'segment');
  assert.equal(routeOf('/webhooks/stripe'), 'stripe');
  assert.equal(routeOf('/v1/unknown'), null);
  assert.equal(collectRequest(request('/admin', {}), rules).status, 404);
});

test('Segment batch: one message per call, envelope context merged, receivedAt stamped, write key never written', () => {
  const batch = loadFixture('segment-batch.json') as Record<string, unknown>;
  const out = collectRequest(request('/v1/batch', { ...batch, writeKey: 'wk_live' }), {
    ...rules,
    maxBatchEvents: 100,
  });
  assert.equal(out.status, 200);
  if (out.status !== 200) return;
  assert.equal(out.messages.length, (batch['batch'] as unknown[]).length);
  for (const m of out.messages) {
    assert.equal(m.topic, 'raw.behavior');
    const call = JSON.parse(String(m.value)) as Record<string, unknown>;
    assert.equal(call['writeKey'], undefined);
    assert.ok(call['receivedAt']);
    assert.ok(!String(m.value).includes('wk_live'));
    assert.equal(String(m.headers?.['journey-source']), 'segment');
  }
  assert.equal(out.response, '{"success":true}');
});

test('Segment single call: type from the path, keyed by the account (context.groupId) else the user', () => {
  const auth = { authorization: basic('wk_live') };
  const tracked = collectRequest(
    request('/v1/track', { userId: 'u1', event: 'Logged In', context: { groupId: 'acc_9' } }, auth),
    rules,
  );
  assert.equal(tracked.status, 200);
  if (tracked.status !== 200) return;
  assert.equal(tracked.messages[0]!.key, 'acc_9');
  assert.equal(JSON.parse(String(tracked.messages[0]!.value)).type, 'track');
  const identified = collectRequest(request('/v1/identify', { userId: 'u1', traits: {} }, auth), rules);
  assert.equal(identified.status === 200 && identified.messages[0]!.key, 'u1');
});

test('Segment refusals: no key 401, unknown key 401, not JSON 400, too many calls 413', () => {
  assert.equal(collectRequest(request('/v1/track', { userId: 'u' }), rules).status, 401);
  const unknown = collectRequest(
    request('/v1/track', { userId: 'u' }, { authorization: basic('wk_x') }),
    rules,
  );
  assert.deepEqual([unknown.status, unknown.status !== 200 && unknown.reason], [401, 'write_key_unknown']);
  assert.equal(
    collectRequest(request('/v1/track', '{', { authorization: basic('wk_live') }), rules).status,
    400,
  );
  const big = { batch: [1, 2, 3, 4].map((i) => ({ type: 'track', userId: `u${i}`, event: 'x' })) };
  assert.equal(
    collectRequest(request('/v1/batch', big, { authorization: basic('wk_live') }), rules).status,
    413,
  );
});

test('a retried Segment call without messageId gets the same one (the ingest drops the duplicate)', () => {
  const auth = { authorization: basic('wk_live') };
  const call = { userId: 'u1', event: 'Logged In', timestamp: '2026-12-04T04:00:00Z' };
  const ids = [1, 2].map((i) => {
    const out = collectRequest({ ...request('/v1/track', call, auth), nowMs: NOW + i * 1000 }, rules);
    return out.status === 200 ? JSON.parse(String(out.messages[0]!.value)).messageId : null;
  });
  assert.ok(ids[0]);
  assert.equal(ids[0], ids[1]);
});

test('Stripe: signed body written as received, keyed by the account in metadata; a bad signature is 400', () => {
  const event = loadFixture('stripe-invoice-paid.json') as { data: { object: Record<string, unknown> } };
  event.data.object['metadata'] = { account_id: 'acc_7' };
  const raw = JSON.stringify(event);
  const t = Math.floor(NOW / 1000);
  const sig = createHmac('sha256', 'whsec_1').update(`${t}.${raw}`).digest('hex');
  const ok = collectRequest(
    request('/webhooks/stripe', raw, { 'stripe-signature': `t=${t},v1=${sig}` }),
    rules,
  );
  assert.equal(ok.status, 200);
  if (ok.status !== 200) return;
  assert.equal(String(ok.messages[0]!.value), raw);
  assert.equal(ok.messages[0]!.key, 'acc_7');
  assert.equal(ok.messages[0]!.topic, 'raw.billing');
  const bad = collectRequest(
    request('/webhooks/stripe', raw, { 'stripe-signature': `t=${t},v1=${'0'.repeat(64)}` }),
    rules,
  );
  assert.deepEqual([bad.status, bad.status !== 200 && bad.reason], [400, 'signature_mismatch']);
});

test('Zendesk, Typeform and Delighted: verified and routed to their topics', () => {
  const ticket = JSON.stringify(loadFixture('zendesk-event-ticket-created.json'));
  const ts = '2026-12-04T05:00:00Z';
  const zd = createHmac('sha256', 'zd')
    .update(ts + ticket)
    .digest('base64');
  const zendesk = collectRequest(
    request('/webhooks/zendesk', ticket, {
      'x-zendesk-webhook-signature': zd,
      'x-zendesk-webhook-signature-timestamp': ts,
    }),
    rules,
  );
  assert.equal(zendesk.status === 200 && zendesk.messages[0]!.topic, 'raw.tickets');
  const form = JSON.stringify(loadFixture('typeform-form-response.json'));
  const tf = `sha256=${createHmac('sha256', 'tf').update(form).digest('base64')}`;
  const typeform = collectRequest(request('/webhooks/typeform', form, { 'typeform-signature': tf }), rules);
  assert.equal(typeform.status === 200 && typeform.messages[0]!.key, 'abc123456');
  const response = loadFixture('delighted-survey-response-updated.json');
  assert.equal(
    collectRequest(request('/webhooks/delighted', response, {}, 'token=dl-token'), rules).status,
    200,
  );
  assert.equal(collectRequest(request('/webhooks/delighted', response, {}, 'token=nope'), rules).status, 401);
  const viaBasicAuth = { authorization: `Basic ${Buffer.from('delighted:dl-token').toString('base64')}` };
  assert.equal(collectRequest(request('/webhooks/delighted', response, viaBasicAuth), rules).status, 200);
  assert.equal(
    collectRequest(request('/webhooks/typeform', form, { 'typeform-signature': 'sha256=AAAA' }), rules)
      .status,
    400,
  );
});
