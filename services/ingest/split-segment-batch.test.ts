// Segment batch envelopes (split-segment-batch.ts): Segment's documented /v1/batch example through
// the ingest core, each call its own canonical event; a bad call dead-lettered alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { DLQ_HEADERS } from '../shared/kafka/dead-letter.ts';
import { DedupWindow } from './dedup-window.ts';
import { journeyEventType } from '../shared/kafka/canonical-codec.ts';
import { TEST_CONFIG, loadFixture } from './fixtures/load-fixture.ts';
import { BATCH_INDEX_HEADER, processIngestBatch } from './ingest-pipeline.ts';
import type { IngestTopology } from './ingest-pipeline.ts';
import { splitSegmentBatch } from './split-segment-batch.ts';

const type = journeyEventType();
const topology: IngestTopology = {
  sourceByTopic: new Map([['raw.behavior', 'behavior']]),
  canonicalTopic: 'canonical',
  dlqTopic: 'dlq',
  canonicalType: type,
  canonicalSchemaId: 100,
};
const BATCH = loadFixture('segment-batch.json');
const RECEIVED = Date.parse('2012-12-02T00:30:20Z');

const message = (payload: unknown): ConsumedMessage => ({
  topic: 'raw.behavior',
  partition: 0,
  offset: '41',
  key: null,
  value: Buffer.from(JSON.stringify(payload)),
  headers: {},
  timestampMs: RECEIVED,
});

async function ingest(payload: unknown, dedup = new DedupWindow({ maxEntries: 100, maxAgeMs: 86_400_000 })) {
  const noRegistry = async () => {
    throw new Error('no registry in this test');
  };
  const result = await processIngestBatch(
    [message(payload)],
    topology,
    TEST_CONFIG,
    noRegistry,
    dedup,
    RECEIVED,
  );
  const events = result.outputs
    .filter((o) => o.topic === 'canonical')
    .map((o) => type.fromBuffer((o.value as Buffer).subarray(5)) as JourneyEvent);
  const letters = result.outputs.filter((o) => o.topic === 'dlq');
  return { events, letters, counts: result.counts };
}

test("Segment's documented batch: four calls, four canonical events with the envelope's context", async () => {
  const { events, letters } = await ingest(BATCH);
  assert.equal(letters.length, 0);
  assert.deepEqual(
    events.map((e) => [e.type, e.name, e.ids.user_id]),
    [
      ['identify', 'identify', '019mr8mf4r'],
      ['track', 'Song Played', '019mr8mf4r'],
      ['identify', 'identify', '971mj8mk7p'],
      ['track', 'Song Played', '971mj8mk7p'],
    ],
  );
  assert.equal(new Set(events.map((e) => e.event_id)).size, 4, 'each call its own id');
  assert.equal(events[1]!.event_time, Date.parse('2012-12-02T00:30:12.984Z'));
  // The envelope's context reaches every call: with a groupId in it, every event names the account.
  const withGroup = await ingest({ ...BATCH, context: { ...(BATCH.context as object), groupId: 'acct_9' } });
  assert.deepEqual(
    withGroup.events.map((e) => e.ids.account_id),
    ['acct_9', 'acct_9', 'acct_9', 'acct_9'],
  );
  assert.doesNotMatch(JSON.stringify(events), /jake@yahoo/, 'emails pseudonymised');
});

test('a redelivered batch is dropped call by call; a bad call is dead-lettered alone, as itself', async () => {
  const dedup = new DedupWindow({ maxEntries: 100, maxAgeMs: 86_400_000 });
  assert.equal((await ingest(BATCH, dedup)).events.length, 4);
  const again = await ingest(BATCH, dedup);
  assert.deepEqual([again.events.length, again.counts.get('drop:duplicate')], [0, 4]);
  const calls = [...(BATCH.batch as object[])];
  calls[1] = { type: 'track', userId: '019mr8mf4r', timestamp: '2012-12-02T00:30:12.984Z' };
  calls.push(42 as unknown as object);
  const { events, letters } = await ingest({ ...BATCH, batch: calls });
  assert.equal(events.length, 3);
  assert.equal(letters.length, 2);
  const [missing, notACall] = letters;
  assert.equal(String(missing!.headers?.[DLQ_HEADERS.reason]), 'missing_required_field');
  assert.equal(String(missing!.headers?.[BATCH_INDEX_HEADER]), '1');
  assert.match(String(missing!.headers?.[DLQ_HEADERS.detail]), /^batch\[1\]: /);
  const letter = JSON.parse(String(missing!.value)) as Record<string, unknown>;
  assert.equal(letter.type, 'track', 'the call itself, replayable as a message of its own');
  assert.deepEqual(letter.context, BATCH.context);
  assert.equal(String(missing!.headers?.[DLQ_HEADERS.sourceOffset]), '41', "the batch's offset");
  assert.equal(String(notACall!.headers?.[DLQ_HEADERS.reason]), 'invalid_field');
});

test("the envelope's fields apply only where a call has none; a single call is no batch", () => {
  const calls = splitSegmentBatch({
    batch: [{ type: 'track', context: { ip: '1.2.3.4' }, sentAt: 'own' }, { type: 'page' }],
    context: { ip: '9.9.9.9', locale: 'en' },
    integrations: { All: false },
    sentAt: 'envelope',
  });
  assert.deepEqual(calls, [
    {
      kind: 'call',
      payload: {
        type: 'track',
        context: { ip: '1.2.3.4', locale: 'en' },
        sentAt: 'own',
        integrations: { All: false },
      },
    },
    {
      kind: 'call',
      payload: {
        type: 'page',
        context: { ip: '9.9.9.9', locale: 'en' },
        integrations: { All: false },
        sentAt: 'envelope',
      },
    },
  ]);
  assert.equal(splitSegmentBatch({ type: 'track', batch: [] }), null);
  assert.equal(splitSegmentBatch({ batch: 'no' }), null);
  assert.deepEqual(splitSegmentBatch({ batch: [] }), []);
});
