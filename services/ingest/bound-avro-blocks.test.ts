import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avro from 'avsc';
import { boundAvroBlockCounts } from './bound-avro-blocks.ts';
import { decodeMessageStep } from './decode-message-step.ts';
import { confluentFrame, inputAvroType, loadFixture, toAvroShape } from './fixtures/load-fixture.ts';
import type { InputSource } from './ingest-config.ts';
import { DEFAULT_INGEST_LIMITS } from './ingest-config.ts';

const long = avro.Type.forSchema('long');

/** A ticket whose tags block claims `count` items and then ends: 116 bytes for any count. */
function ticketClaiming(count: number): Buffer {
  const body = inputAvroType('tickets').toBuffer(
    toAvroShape('tickets', { ...loadFixture('zendesk-ticket-created.json'), tags: ['QQQQ'] }),
  );
  const tags = Buffer.from([0x02, 0x08, 0x51, 0x51, 0x51, 0x51, 0x00]); // 1 item, "QQQQ", end
  return Buffer.concat([body.subarray(0, body.indexOf(tags)), long.toBuffer(count)]);
}

describe('boundAvroBlockCounts (#14)', () => {
  it('a block claiming more items than bytes remain is a truncated body, at once', async () => {
    // Unbounded, avsc loops 2^31 times and allocates until the heap is gone (an OOM crash; 1e8
    // already exhausts a 256 MB heap), so before the fix this test never finishes.
    const type = inputAvroType('tickets');
    for (const count of [2 ** 31 - 1, 1e8, -(2 ** 31 - 1)]) {
      const result = await decodeMessageStep(
        confluentFrame(2, ticketClaiming(count)),
        async () => type,
        DEFAULT_INGEST_LIMITS,
      );
      assert.equal(result.kind === 'dlq' && result.reason, 'avro_decode_failed', String(count));
    }
  });

  it('a map block (billing metadata) claiming 2^40 entries likewise', () => {
    const map = boundAvroBlockCounts(avro.Type.forSchema({ type: 'map', values: 'string' }));
    assert.equal(map.decode(long.toBuffer(2 ** 40), 0).offset, -1);
  });

  it('valid messages of every input decode exactly as before, "__proto__" map keys as data', () => {
    const fixtures: Array<[InputSource, string]> = [
      ['tickets', 'zendesk-ticket-created.json'],
      ['billing', 'stripe-customer-subscription-updated.json'],
      ['billing', 'stripe-invoice-paid.json'],
      ['behavior', 'segment-identify.json'],
      ['surveys', 'survey-nps.json'],
    ];
    for (const [source, name] of fixtures) {
      const plain = inputAvroType(source);
      const bounded = boundAvroBlockCounts(inputAvroType(source));
      const bytes = plain.toBuffer(toAvroShape(source, loadFixture(name)));
      // Same values; only the record classes differ (each parsed type has its own).
      assert.equal(JSON.stringify(bounded.fromBuffer(bytes)), JSON.stringify(plain.fromBuffer(bytes)), name);
    }
    const map = boundAvroBlockCounts(avro.Type.forSchema({ type: 'map', values: 'string' }));
    const decoded = map.fromBuffer(map.toBuffer({ ['__proto__']: 'x', a: 'b' })) as object;
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  });
});
