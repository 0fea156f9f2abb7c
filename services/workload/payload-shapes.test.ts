// Spot checks that every topic's payload has the public shape: Segment spec messages, Zendesk-
// like ticket changes and survey responses (as schemas/*.avsc), Stripe events.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateHistory } from './generate-workload.ts';
import type { RawMessage } from './workload-message.ts';
import { collect, T0 } from './workload-test-kit.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const messages = collect(generateHistory('demo', 5, T0)).filter(
  (m) => !m.malformed && !Buffer.isBuffer(m.value),
);
const find = (predicate: (v: Json, m: RawMessage) => boolean): Json => {
  const m = messages.find((x) => predicate(x.value as Json, x));
  assert.ok(m, 'no such message');
  return m.value as Json;
};
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

test('behavior: Segment spec common fields and context', () => {
  const landing = find((v) => v.type === 'page' && v.context.campaign?.medium === 'cpc');
  assert.deepEqual(Object.keys(landing.context.campaign).sort(), [
    'content',
    'medium',
    'name',
    'source',
    'term',
  ]);
  assert.match(landing.context.page.url, /utm_medium=cpc/);
  assert.match(landing.anonymousId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  for (const v of [landing, find((x) => x.type === 'track' && x.event === 'Feature Used')]) {
    for (const key of ['type', 'messageId', 'context', 'timestamp', 'sentAt', 'receivedAt'])
      assert.ok(key in v, key);
    assert.match(v.timestamp, ISO);
    assert.equal(v.context.library.name, 'analytics.js');
    assert.equal(typeof v.context.ip, 'string');
    assert.equal(typeof v.context.userAgent, 'string');
  }
  const used = find((v) => v.event === 'Feature Used');
  assert.equal(typeof used.properties.feature, 'string');
  assert.ok(used.userId && used.anonymousId && used.context.device.id && used.context.groupId);
  const group = find((v) => v.type === 'group');
  assert.ok(group.groupId && typeof group.traits.employees === 'number' && group.traits.industry);
  assert.ok(['starter', 'team', 'business', 'enterprise'].includes(group.traits.plan));
  assert.ok(find((v) => v.type === 'identify').traits.email.includes('@'));
  const alias = find((v) => v.type === 'alias');
  assert.ok(alias.previousId && alias.userId);
  const exposure = find((v) => v.event === 'Experiment Viewed');
  assert.ok(['control', 'treatment'].includes(exposure.properties.variant));
  assert.equal(exposure.properties.experiment_id, 'onboarding_checklist_v2');
});

test('tickets: Zendesk-like changes through the lifecycle, CSAT good|bad with a comment', () => {
  const rated = find((v) => v.event_kind === 'satisfaction_rated');
  for (const key of [
    'ticket_id',
    'requester',
    'organization',
    'status',
    'priority',
    'channel',
    'tags',
    'subject',
    'category',
    'created_at',
    'updated_at',
    'solved_at',
  ]) {
    assert.ok(key in rated, key);
  }
  assert.ok(['good', 'bad'].includes(rated.satisfaction_rating.score));
  assert.ok(rated.requester.email && rated.requester.external_id && rated.organization.external_id);
  const kinds = new Set(
    messages.filter((m) => m.topic === 'tickets').map((m) => (m.value as Json).event_kind),
  );
  assert.deepEqual([...kinds].sort(), ['created', 'satisfaction_rated', 'solved', 'updated']);
});

test('surveys: NPS 0-10, CSAT 1-5, CES 1-7 with a stage and verbatims', () => {
  const ranges: Record<string, [number, number]> = { nps: [0, 10], csat: [1, 5], ces: [1, 7] };
  const surveys = messages.filter((m) => m.topic === 'surveys').map((m) => m.value as Json);
  for (const s of surveys) {
    const [min, max] = ranges[s.survey_kind] as [number, number];
    assert.ok(s.score >= min && s.score <= max, `${s.survey_kind} ${s.score}`);
    assert.ok(
      s.response_id && s.survey_id && s.question && s.respondent.user_id && s.account_id && s.journey_stage,
    );
    assert.match(s.answered_at, ISO);
  }
  assert.ok(surveys.some((s) => s.survey_kind === 'nps' && s.score <= 6 && typeof s.comment === 'string'));
});

test('billing: Stripe events for subscriptions and invoices', () => {
  const types = new Set(messages.filter((m) => m.topic === 'billing').map((m) => (m.value as Json).type));
  for (const t of [
    'customer.subscription.created',
    'customer.subscription.updated',
    'customer.subscription.deleted',
    'invoice.paid',
    'invoice.payment_failed',
  ]) {
    assert.ok(types.has(t), t);
  }
  const updated = find(
    (v) => v.type === 'customer.subscription.updated' && v.data.previous_attributes?.quantity !== undefined,
  );
  assert.match(updated.id, /^evt_/);
  assert.ok(Number.isInteger(updated.created) && updated.created < 1e10, 'created is unix seconds');
  const sub = updated.data.object;
  assert.equal(sub.object, 'subscription');
  assert.ok(sub.customer.startsWith('cus_') && sub.metadata.account_id && sub.metadata.user_id);
  const item = sub.items.data[0];
  assert.ok(
    item.price.id &&
      item.price.unit_amount > 0 &&
      item.price.recurring.interval === 'month' &&
      item.quantity > 0,
  );
  assert.equal(
    updated.data.previous_attributes.items.data[0].quantity,
    updated.data.previous_attributes.quantity,
  );
  const cancelled = find(
    (v) => v.type === 'customer.subscription.deleted' && v.data.object.cancellation_details.comment !== null,
  );
  assert.ok(cancelled.data.object.cancellation_details.feedback);
  const failed = find((v) => v.type === 'invoice.payment_failed').data.object;
  assert.ok(
    failed.amount_due > 0 &&
      failed.amount_paid === 0 &&
      failed.attempt_count >= 1 &&
      failed.currency === 'usd',
  );
});
