import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import {
  basicAuthUser,
  secretList,
  verifyStripe,
  verifyToken,
  verifyTypeform,
  verifyZendesk,
} from './verify-signatures.ts';

const body = Buffer.from('{"id":"evt_1","type":"invoice.paid"}');
const NOW = 1_796_000_000;

// Stripe's own library signs: its header format, its payload, its algorithm.
const stripeHeader = (secret: string, timestamp = NOW, payload = body.toString()): string =>
  new Stripe('sk_test_unused').webhooks.generateTestHeaderString({ payload, secret, timestamp });

test('Stripe-Signature from the Stripe library verifies; a rotated-out secret, a changed body and an old timestamp do not', () => {
  const header = stripeHeader('whsec_new');
  assert.deepEqual(verifyStripe(header, body, ['whsec_old', 'whsec_new'], NOW, 300), { ok: true });
  assert.deepEqual(verifyStripe(header, body, ['whsec_old'], NOW, 300), {
    ok: false,
    reason: 'signature_mismatch',
  });
  assert.deepEqual(verifyStripe(header, Buffer.from(`${body.toString()} `), ['whsec_new'], NOW, 300), {
    ok: false,
    reason: 'signature_mismatch',
  });
  assert.deepEqual(verifyStripe(header, body, ['whsec_new'], NOW + 301, 300), {
    ok: false,
    reason: 'signature_expired',
  });
  assert.deepEqual(verifyStripe(undefined, body, ['whsec_new'], NOW, 300), {
    ok: false,
    reason: 'signature_missing',
  });
  assert.deepEqual(verifyStripe('garbage', body, ['whsec_new'], NOW, 300), {
    ok: false,
    reason: 'signature_malformed',
  });
  assert.deepEqual(verifyStripe(header, body, [], NOW, 300), { ok: false, reason: 'not_configured' });
});

test('Stripe sends one v1 per active secret during a roll: any of them verifies', () => {
  const hex = (secret: string) => createHmac('sha256', secret).update(`${NOW}.`).update(body).digest('hex');
  const header = `t=${NOW},v1=${hex('whsec_a')},v1=${hex('whsec_b')},v0=ignored`;
  assert.deepEqual(verifyStripe(header, body, ['whsec_b'], NOW, 300), { ok: true });
});

test('Zendesk: base64 HMAC-SHA256 of timestamp + body', () => {
  const timestamp = '2026-12-04T05:00:00Z';
  const signature = createHmac('sha256', 'zd-secret')
    .update(timestamp + body.toString())
    .digest('base64');
  assert.deepEqual(verifyZendesk(signature, timestamp, body, ['zd-secret']), { ok: true });
  assert.equal(verifyZendesk(signature, '2026-12-04T05:00:01Z', body, ['zd-secret']).ok, false);
  assert.equal(verifyZendesk(signature, undefined, body, ['zd-secret']).ok, false);
});

test('Typeform: sha256= base64 HMAC-SHA256 of the body', () => {
  const signature = `sha256=${createHmac('sha256', 'tf-secret').update(body).digest('base64')}`;
  assert.deepEqual(verifyTypeform(signature, body, ['other', 'tf-secret']), { ok: true });
  assert.deepEqual(verifyTypeform(signature.replace('sha256=', ''), body, ['tf-secret']), {
    ok: false,
    reason: 'signature_malformed',
  });
  assert.equal(verifyTypeform(signature, Buffer.from('{}'), ['tf-secret']).ok, false);
});

test('Segment write key from basic auth (user, empty password); tokens; secret lists', () => {
  const auth = `Basic ${Buffer.from('wk_123:').toString('base64')}`;
  assert.equal(basicAuthUser(auth), 'wk_123');
  assert.equal(basicAuthUser('Bearer x'), null);
  assert.equal(basicAuthUser(undefined), null);
  assert.deepEqual(verifyToken('t2', ['t1', 't2']), { ok: true });
  assert.deepEqual(verifyToken('t3', ['t1', 't2']), { ok: false, reason: 'token_mismatch' });
  assert.deepEqual(verifyToken(null, ['t1']), { ok: false, reason: 'token_missing' });
  assert.deepEqual(secretList(' a, ,b '), ['a', 'b']);
  assert.deepEqual(secretList(undefined), []);
});
