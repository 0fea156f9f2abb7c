import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Type } from 'avsc';
import type { DecodedMessage, LookupSchema } from './decode-message-step.ts';
import { decodeMessageStep, UnknownSchemaError } from './decode-message-step.ts';
import { confluentFrame, inputAvroType, loadFixture, toAvroMessage } from './fixtures/load-fixture.ts';
import { DEFAULT_INGEST_LIMITS } from './ingest-config.ts';
import type { StepResult } from '../shared/results.ts';

const surveyType = inputAvroType('surveys');
const REGISTRY: Record<number, Type> = { 7: surveyType };
const lookup: LookupSchema = async (id) => {
  const type = REGISTRY[id];
  if (type === undefined) throw new UnknownSchemaError(id);
  return type;
};
const survey = loadFixture('survey-nps.json');
const avroMessage = toAvroMessage('surveys', survey, 7);

async function reasonOf(result: Promise<StepResult<DecodedMessage>>): Promise<string> {
  const r = await result;
  return r.kind === 'dlq' ? `dlq:${r.reason}` : r.kind === 'retry' ? `retry:${r.reason}` : r.kind;
}

describe('decodeMessageStep', () => {
  it('decodes Confluent-framed Avro with the registry schema', async () => {
    const r = await decodeMessageStep(avroMessage, lookup, DEFAULT_INGEST_LIMITS);
    assert.equal(r.kind, 'ok');
    const value = (r as { kind: 'ok'; value: DecodedMessage }).value;
    assert.equal(value.format, 'avro');
    assert.equal(value.format === 'avro' && value.schemaId, 7);
    assert.equal((value.payload as { response_id: string }).response_id, 'resp_01HTQ8Z6M4K2V9');
  });

  it('decodes JSON objects, with leading whitespace or a UTF-8 BOM', async () => {
    for (const prefix of ['', '  \n\t', '\uFEFF']) {
      const r = await decodeMessageStep(
        Buffer.from(prefix + JSON.stringify(survey)),
        lookup,
        DEFAULT_INGEST_LIMITS,
      );
      assert.equal(r.kind, 'ok');
      assert.deepEqual((r as { kind: 'ok'; value: DecodedMessage }).value, {
        format: 'json',
        payload: survey,
      });
    }
  });

  const bad: Array<[string, Buffer | null, string]> = [
    ['null value (tombstone)', null, 'dlq:empty_message'],
    ['empty value', Buffer.alloc(0), 'dlq:empty_message'],
    ['invalid JSON', Buffer.from('{"type": "track",'), 'dlq:invalid_json'],
    [
      'invalid UTF-8 in JSON',
      Buffer.concat([Buffer.from('{"userId":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
      'dlq:invalid_utf8',
    ],
    ['a JSON array', Buffer.from('[{"type":"track"}]'), 'dlq:unknown_magic_byte'],
    [
      'wrong magic byte',
      Buffer.concat([Buffer.from([1]), avroMessage.subarray(1)]),
      'dlq:unknown_magic_byte',
    ],
    ['random bytes', Buffer.from([0x9f, 0x13, 0xee, 0x02, 0x71, 0x44, 0x00, 0xab]), 'dlq:unknown_magic_byte'],
    ['header shorter than 5 bytes', Buffer.from([0, 0, 0]), 'dlq:avro_decode_failed'],
    ['truncated Avro body', avroMessage.subarray(0, avroMessage.length - 10), 'dlq:avro_decode_failed'],
    [
      'trailing bytes after the Avro record',
      Buffer.concat([avroMessage, Buffer.from([1, 2, 3])]),
      'dlq:avro_decode_failed',
    ],
    ['unknown schema id', confluentFrame(99, surveyType.toBuffer(survey)), 'dlq:unknown_schema_id'],
    [
      'Avro body of random bytes',
      confluentFrame(7, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])),
      'dlq:avro_decode_failed',
    ],
  ];
  for (const [label, value, expected] of bad) {
    it(`${label} -> ${expected}`, async () => {
      assert.equal(await reasonOf(decodeMessageStep(value, lookup, DEFAULT_INGEST_LIMITS)), expected);
    });
  }

  it('larger than maxMessageBytes -> dlq message_too_large, before any parsing', async () => {
    const limits = { ...DEFAULT_INGEST_LIMITS, maxMessageBytes: 100 };
    assert.equal(await reasonOf(decodeMessageStep(avroMessage, lookup, limits)), 'dlq:message_too_large');
    assert.equal(
      await reasonOf(decodeMessageStep(Buffer.from(`{"a":"${'x'.repeat(100)}"}`), lookup, limits)),
      'dlq:message_too_large',
    );
  });

  it('a registry that cannot be reached is retry, never dlq', async () => {
    const down: LookupSchema = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8081'), { code: 'ECONNREFUSED' });
    };
    const r = await decodeMessageStep(avroMessage, down, DEFAULT_INGEST_LIMITS);
    assert.equal(r.kind, 'retry');
    assert.equal((r as { cause: { code: string } }).cause.code, 'ECONNREFUSED');
  });
});
