// The journey stage's bulkhead: an exception raised by one event or one identity command
// dead-letters that message with reason internal_error (its class and message in the detail);
// the rest of the batch is processed as if it were not there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Type } from 'avsc';
import { DEFAULT_CHURN_CONFIG } from '../churn/churn-config.ts';
import { DEFAULT_IDENTITY_CONFIG, createIdentityGraph } from '../identity/identity-core.ts';
import { confluentFrame, journeyEventType } from '../shared/kafka/canonical-codec.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { readDeadLetterHeaders } from '../shared/kafka/dead-letter.ts';
import { createAccountStore } from './account-store.ts';
import { parseIdentityCommand } from './apply-identity-command-step.ts';
import { processIdentityCommands } from './identity-commands-pipeline.ts';
import { b2b, ev } from '../../test/support/journey-test-events.ts';
import { testTopology, rowsOf } from '../../test/support/journey-test-topology.ts';
import { processJourneyBatch } from './journey-pipeline.ts';
import type { JourneyTopology } from './journey-pipeline.ts';

const type = journeyEventType();
const ctx = { map: b2b, churn: DEFAULT_CHURN_CONFIG };

// The resolved-event encoder throws for one event (as a schema no step expected would): the
// exception comes from inside the per-event processing.
function throwingEncoder(poisonUserId: string): Type {
  return new Proxy(type, {
    get(target, prop, receiver) {
      if (prop === 'encode')
        return (value: { ids: { user_id: string | null } }, buf: Buffer, pos: number) => {
          if (value.ids.user_id === poisonUserId) throw new RangeError('value out of range for int');
          return target.encode(value, buf, pos);
        };
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

const topology = (eventType: Type): JourneyTopology => testTopology('resolved', eventType);

const message = (topic: string, offset: number, value: Buffer | null): ConsumedMessage => ({
  topic,
  partition: 0,
  offset: String(offset),
  key: null,
  value,
  headers: {},
  timestampMs: 0,
});

test('an event whose processing throws is dead-lettered as internal_error; the others are stored', () => {
  const events = [
    ev('Signed Up', 0, { person_id: null, account_id: null }),
    {
      ...ev('Logged In', 1, { person_id: null, account_id: null }),
      ids: { ...ev('x', 1).ids, user_id: 'poison' },
    },
    ev('Logged In', 2, { person_id: null, account_id: null }),
  ];
  const messages = events.map((e, i) => message('canonical', i, confluentFrame(7, type.toBuffer(e))));
  const state = { graph: createIdentityGraph(), accounts: createAccountStore() };
  const result = processJourneyBatch(
    messages,
    state,
    topology(throwingEncoder('poison')),
    DEFAULT_IDENTITY_CONFIG,
    ctx,
    Date.UTC(2026, 0, 10),
  );
  const dead = result.messages.filter((m) => m.topic === 'dlq');
  assert.equal(dead.length, 1);
  const letter = readDeadLetterHeaders(dead[0]!.headers as Record<string, Buffer>);
  assert.equal(letter.reason, 'internal_error');
  assert.equal(letter.sourceOffset, '1');
  assert.match(letter.detail, /^RangeError: value out of range for int/);
  // Stored or dead-lettered, never both.
  assert.equal(rowsOf(result).get('journey_events')?.length, 2);
  assert.equal(result.messages.filter((m) => m.topic === 'resolved').length, 2);
  assert.equal(result.counts.get('dlq:internal_error'), 1);
  assert.equal(result.counts.get('ok'), 2);
  // The batch still ends with its checkpoint: the offsets are committed with the dead letter.
  assert.equal(result.checkpoint.length, 1);
  // The dead-lettered event changed no account: the states are those of the batch without it.
  const without = { graph: createIdentityGraph(), accounts: createAccountStore() };
  processJourneyBatch(
    messages.filter((m) => m.offset !== '1'),
    without,
    topology(type),
    DEFAULT_IDENTITY_CONFIG,
    ctx,
    Date.UTC(2026, 0, 10),
  );
  assert.ok(state.accounts.states.size > 0);
  assert.deepEqual(state.accounts.states, without.accounts.states);
});

test('identity commands whose body is JSON null, a number, an array or empty are dead-lettered', () => {
  for (const body of ['null', '42', '"delete"', '[1,2]', '{"command":"delete","command_id":null}']) {
    const parsed = parseIdentityCommand(Buffer.from(body));
    assert.equal(parsed.kind, 'dlq', body);
  }
  assert.deepEqual(parseIdentityCommand(null), {
    kind: 'dlq',
    reason: 'empty_message',
    detail: 'identity command has no body',
  });
  assert.equal(parseIdentityCommand(Buffer.alloc(0)).kind, 'dlq');
});

test('a batch of commands with poison among them: each poison is dead-lettered, the valid one applied', () => {
  const state = { graph: createIdentityGraph(), accounts: createAccountStore() };
  const bodies = [
    'null',
    '',
    '{"__proto__":{"command":"delete"},"command_id":"c0"}',
    '{"command":"delete","command_id":"c1","person_id":"p-unknown"}',
  ];
  const messages = bodies.map((b, i) => message('commands', i, b === '' ? null : Buffer.from(b)));
  const result = processIdentityCommands(messages, state, topology(type), ctx, Date.UTC(2026, 0, 10));
  const reasons = result.messages
    .filter((m) => m.topic === 'dlq')
    .map((m) => readDeadLetterHeaders(m.headers as Record<string, Buffer>).reason);
  assert.deepEqual(reasons, ['invalid_field', 'empty_message', 'invalid_field']);
  assert.deepEqual(
    result.outcomes.map((o) => o.command_id),
    ['c1'],
  );
});
