// The resolver's core on hand-made link facts: an identify stitches an anonymous id to its user and
// a group call names the account, each table record carries the links offset that wrote it, a
// redelivered batch changes nothing (the checkpoint), and an unreadable fact is dead-lettered with
// its reason while the batch goes on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { DLQ_HEADERS } from '../shared/kafka/dead-letter.ts';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import { createIdentityGraph, DEFAULT_IDENTITY_CONFIG, personOfKey } from '../identity/identity-core.ts';
import { newJourneyEvent, noIdentifiers } from '../ingest/new-journey-event.ts';
import { decodeLinkFact, encodeLinkFact } from '../identity/link-fact-message.ts';
import { LINKS_OFFSET_HEADER, processLinkBatch } from './resolver-pipeline.ts';

const T = Date.UTC(2026, 10, 2, 9);
const topology = { tableTopic: 'table', dlqTopic: 'dlq' };

function event(id: string, type: string, ids: Partial<JourneyEvent['ids']>, minute: number): JourneyEvent {
  const e = newJourneyEvent({
    source: 'behavior',
    type,
    name: type,
    event_time: T + minute * 60_000,
    received_time: T + minute * 60_000 + 5,
    ids: { ...noIdentifiers(), ...ids },
  });
  return { ...e, event_id: id };
}

const asConsumed = (values: Array<string | Buffer>, from = 0): ConsumedMessage[] =>
  values.map((value, i) => ({
    topic: 'links',
    partition: 0,
    offset: String(from + i),
    key: null,
    value: Buffer.from(value),
    headers: {},
    timestampMs: 0,
  }));

test('a link fact keeps what resolve reads and nothing else, and reads back as that event', () => {
  const e = {
    ...event('e1', 'identify', { anonymous_id: 'a-1', user_id: 'u-1', email: 'ada@example.com' }, 0),
    comment: 'private words',
  };
  const wire = encodeLinkFact(e);
  assert.equal(wire.key, 'e1');
  assert.doesNotMatch(wire.value, /ada@example\.com|private words/);
  const back = decodeLinkFact(wire.value);
  assert.equal(back.kind, 'ok');
  if (back.kind !== 'ok') return;
  assert.deepEqual(back.event.ids, { ...e.ids, email: null });
  assert.deepEqual(
    [
      back.event.event_id,
      back.event.type,
      back.event.source,
      back.event.event_time,
      back.event.received_time,
    ],
    ['e1', 'identify', 'behavior', e.event_time, e.received_time],
  );
  for (const bad of [
    '',
    '{',
    '[]',
    '{"e":"x"}',
    '{"e":"x","s":"mars","t":"a","n":"a","at":1,"rt":1,"ids":{}}',
  ]) {
    assert.equal(decodeLinkFact(bad).kind, 'invalid', bad);
  }
  const unknownId = JSON.stringify({
    e: 'x',
    s: 'behavior',
    t: 't',
    n: 'n',
    at: 1,
    rt: 1,
    ids: { ssn: '1' },
  });
  assert.equal(decodeLinkFact(unknownId).kind, 'invalid');
  assert.equal(decodeLinkFact(null).kind, 'invalid');
});

test('the resolver stitches, names accounts, stamps offsets, skips a redelivery, dead-letters junk', () => {
  const graph = createIdentityGraph();
  const facts = [
    encodeLinkFact(event('e1', 'page', { anonymous_id: 'a-1' }, 0)).value,
    'not a link fact',
    encodeLinkFact(event('e2', 'identify', { anonymous_id: 'a-1', user_id: 'u-1' }, 1)).value,
    encodeLinkFact(event('e3', 'group', { user_id: 'u-1', account_id: 'acme' }, 2)).value,
  ];
  const first = processLinkBatch(asConsumed(facts), graph, topology, DEFAULT_IDENTITY_CONFIG, T);
  assert.equal(personOfKey(graph, 'a:a-1'), personOfKey(graph, 'u:u-1'));
  assert.notEqual(personOfKey(graph, 'u:u-1'), null);
  assert.equal(first.messages.length, 1);
  assert.equal(first.messages[0]!.topic, 'dlq');
  assert.equal(String(first.messages[0]!.headers?.[DLQ_HEADERS.reason]), 'invalid_field');
  assert.equal(first.counts.get('dlq:invalid_field'), 1);
  assert.equal(first.counts.get('ok'), 3);
  assert.ok(
    first.table.some((r) => String(r.key).startsWith('m:')),
    'a membership record',
  );
  for (const record of first.table) {
    assert.ok(['0', '2', '3'].includes(String(record.headers?.[LINKS_OFFSET_HEADER])), String(record.key));
    assert.equal(record.partition, 0);
  }
  assert.deepEqual(
    first.checkpoint.map((r) => [r.key, r.value]),
    [['o:0', JSON.stringify({ o: '3' })]],
  );
  const again = processLinkBatch(asConsumed(facts), graph, topology, DEFAULT_IDENTITY_CONFIG, T);
  assert.deepEqual([again.table, again.messages], [[], []]);
  assert.equal(again.counts.get('drop:already_processed'), 4);
});
