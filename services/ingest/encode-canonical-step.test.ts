import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { confluentFrame, encodeFramed, journeyEventType } from '../shared/kafka/canonical-codec.ts';
import { journeyEvent } from '../identity/journey-event-fixture.ts';

const type = journeyEventType();

test('encodeFramed writes exactly confluentFrame(id, toBuffer(event)), any size', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 40 }),
      fc.nat({ max: 200_000 }),
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      (id, padding, schemaId) => {
        const event = { ...journeyEvent({ id, ids: { user_id: `u-${id}` } }), name: 'x'.repeat(padding) };
        const framed = encodeFramed(type, schemaId, event);
        assert.deepEqual(framed, confluentFrame(schemaId, type.toBuffer(event)));
        assert.deepEqual(type.fromBuffer(framed.subarray(5)), type.fromBuffer(type.toBuffer(event)));
      },
    ),
    { numRuns: 200 },
  );
});

test('encodeFramed returns independent buffers (the scratch space is not shared with callers)', () => {
  const a = encodeFramed(type, 7, journeyEvent({ id: 'a', ids: { user_id: 'a' } }));
  const copy = Buffer.from(a);
  encodeFramed(type, 7, journeyEvent({ id: 'bbbbbbbb', ids: { user_id: 'bbbbbbbb' } }));
  assert.deepEqual(a, copy);
});

test('encodeFramed rejects an invalid event like toBuffer does', () => {
  const bad = { ...journeyEvent({ id: 'x', ids: {} }), event_time: 'yesterday' };
  assert.throws(() => type.toBuffer(bad));
  assert.throws(() => encodeFramed(type, 7, bad));
});
