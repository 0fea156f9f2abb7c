// processJourneyBatch with in-memory outputs: what one batch of canonical events produces, and the
// resolved-event output switched on (full) and off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CHURN_CONFIG } from '../churn/churn-config.ts';
import { DEFAULT_IDENTITY_CONFIG, createIdentityGraph } from '../identity/identity-core.ts';
import { confluentFrame, journeyEventType } from '../shared/kafka/canonical-codec.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { createAccountStore } from './account-store.ts';
import { b2b, ev } from '../../test/support/journey-test-events.ts';
import { testTopology, rowsOf } from '../../test/support/journey-test-topology.ts';
import { processJourneyBatch } from './journey-pipeline.ts';
import type { JourneyTopology } from './journey-pipeline.ts';

const type = journeyEventType();

const topology = (resolvedTopic: string | null): JourneyTopology => testTopology(resolvedTopic, type);

function canonical(): ConsumedMessage[] {
  const events = [
    ev('Signed Up', 0, { person_id: null, account_id: null }),
    ev('Logged In', 1, { person_id: null, account_id: null }),
    ev('Logged In', 2, { person_id: null, account_id: null }),
  ];
  return events.map((event, i) => ({
    topic: 'canonical',
    partition: 0,
    offset: String(i),
    key: null,
    value: confluentFrame(7, type.toBuffer(event)),
    headers: {},
    timestampMs: event.event_time,
  }));
}

function run(resolvedTopic: string | null) {
  const state = { graph: createIdentityGraph(), accounts: createAccountStore() };
  return processJourneyBatch(
    canonical(),
    state,
    topology(resolvedTopic),
    DEFAULT_IDENTITY_CONFIG,
    { map: b2b, churn: DEFAULT_CHURN_CONFIG },
    Date.UTC(2026, 0, 10),
  );
}

test('every stored event goes to the resolved topic, keyed by account, with person and account ids', () => {
  const result = run('resolved');
  const resolved = result.messages.filter((m) => m.topic === 'resolved');
  assert.equal(resolved.length, 3);
  assert.equal(rowsOf(result).get('journey_events')?.length, 3);
  for (const message of resolved) {
    const event = type.fromBuffer((message.value as Buffer).subarray(5));
    assert.ok(event.person_id, 'resolved to a person');
    assert.equal(message.key, event.account_id ?? event.person_id);
  }
});

test('JOURNEY_RESOLVED_OUTPUT=off: the same rows and state, no resolved-event messages', () => {
  const full = run('resolved');
  const off = run(null);
  assert.equal(off.messages.filter((m) => m.topic === 'resolved').length, 0);
  assert.deepEqual(
    off.messages.map((m) => m.topic),
    full.messages.filter((m) => m.topic !== 'resolved').map((m) => m.topic),
  );
  assert.deepEqual(rowsOf(off), rowsOf(full));
  assert.deepEqual(off.changelog, full.changelog);
});
