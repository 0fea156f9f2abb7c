// A rolling upgrade: the ingest writes canonical events with a newer schema (a field added in the
// middle, with a default) while the journey still reads with its own. Read with the reader schema
// alone, the frame is garbage (dead-lettered before issue #14); read through the writer schema
// named by the frame's id, it is the same event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import type { Schema } from 'avsc';
import { TransientFault } from '../shared/bulkhead.ts';
import { UnknownSchemaError } from '../ingest/decode-message-step.ts';
import { confluentFrame, journeyEventSchemaText, journeyEventType } from '../shared/kafka/canonical-codec.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { decodeCanonicalStep } from './decode-canonical-step.ts';
import { learnCanonicalWriters } from './learn-canonical-writers.ts';
import type { CanonicalWriters } from './learn-canonical-writers.ts';
import { ev } from '../../test/support/journey-test-events.ts';

const reader = journeyEventType();
const OURS = 7;
const NEWER = 8;
const UNKNOWN = 9;

function newerSchema(): avro.Type {
  const schema = JSON.parse(journeyEventSchemaText()) as { fields: object[] };
  schema.fields.splice(3, 0, { name: 'consent_state', type: 'string', default: 'unknown' });
  return avro.Type.forSchema(schema as Schema);
}
const writer = newerSchema();

const message = (value: Buffer, offset = 0): ConsumedMessage => ({
  topic: 'canonical',
  partition: 0,
  offset: String(offset),
  key: null,
  value,
  headers: {},
  timestampMs: 0,
});

const lookup = async (id: number) => {
  if (id === NEWER) return writer;
  if (id === UNKNOWN) throw new UnknownSchemaError(id);
  throw new Error('connect ECONNREFUSED 127.0.0.1:18081');
};

test('an event written with a newer compatible schema is read through its writer schema', async () => {
  const event = ev('Logged In', 1, { person_id: null, account_id: null });
  const frame = confluentFrame(NEWER, writer.toBuffer({ ...event, consent_state: 'granted' }));

  // Without the writer schema: what the journey did before — the event is poison.
  const blind = decodeCanonicalStep(frame, reader);
  assert.notEqual(blind.kind, 'ok');

  const writers: CanonicalWriters = new Map();
  await learnCanonicalWriters([message(frame)], reader, OURS, lookup, writers);
  const decoded = decodeCanonicalStep(frame, reader, writers);
  assert.equal(decoded.kind, 'ok');
  const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
  assert.deepEqual(plain(decoded.kind === 'ok' ? decoded.value : null), plain(event));
  // Our own frames are still read directly, without a lookup.
  const own = decodeCanonicalStep(confluentFrame(OURS, reader.toBuffer(event)), reader, writers);
  assert.equal(own.kind, 'ok');
  assert.deepEqual([...writers.keys()], [NEWER]);
});

test('an unknown writer id dead-letters its messages; a registry that does not answer retries the batch', async () => {
  const event = ev('Logged In', 1, { person_id: null, account_id: null });
  const unknown = confluentFrame(UNKNOWN, reader.toBuffer(event));
  const writers: CanonicalWriters = new Map();
  await learnCanonicalWriters([message(unknown)], reader, OURS, lookup, writers);
  const decoded = decodeCanonicalStep(unknown, reader, writers);
  assert.equal(decoded.kind === 'dlq' ? decoded.reason : decoded.kind, 'unknown_schema_id');

  const unreachable = confluentFrame(10, reader.toBuffer(event));
  await assert.rejects(
    learnCanonicalWriters([message(unreachable)], reader, OURS, lookup, writers),
    (err) => err instanceof TransientFault,
  );
  assert.equal(writers.has(10), false, 'nothing remembered: the retry asks again');
});

test('a writer schema that cannot be resolved to ours dead-letters with the reason', async () => {
  const incompatible = avro.Type.forSchema({
    type: 'record',
    name: 'JourneyEvent',
    namespace: (JSON.parse(journeyEventSchemaText()) as { namespace?: string }).namespace,
    fields: [{ name: 'event_id', type: 'long' }],
  } as Schema);
  const writers: CanonicalWriters = new Map();
  const frame = confluentFrame(11, incompatible.toBuffer({ event_id: 1 }));
  await learnCanonicalWriters([message(frame)], reader, OURS, async () => incompatible, writers);
  const decoded = decodeCanonicalStep(frame, reader, writers);
  assert.equal(decoded.kind === 'dlq' ? decoded.reason : decoded.kind, 'avro_decode_failed');
});
