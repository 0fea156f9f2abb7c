// Poison at the wire: bodies that are not a message at all, JSON that is not an object, Confluent
// frames with a bad id, cut short, or with a body the writer schema does not describe.
import avro from 'avsc';
import { confluentFrame } from '../../services/shared/kafka/canonical-codec.ts';
import type { PoisonMessage } from './poison-message.ts';
import {
  avroBytes,
  behaviorBase,
  invoiceBase,
  jsonBytes,
  mutate,
  SCHEMA_IDS,
  subscriptionBase,
  surveyBase,
  ticketBase,
  UNKNOWN_SCHEMA_ID,
  UNPARSEABLE_SCHEMA_ID,
} from './poison-message.ts';

const withBody = (frame: Buffer, schemaId: number): Buffer => confluentFrame(schemaId, frame.subarray(5));

/** `frame` cut where `marker` (the encoding of a one-item array or map) starts, and ended by a
 *  block count of `count` items with nothing after it: a few bytes claiming billions of items. */
function claimingBlock(frame: Buffer, marker: number[], count: number): Buffer {
  const at = frame.indexOf(Buffer.from(marker));
  if (at < 0) throw new Error('block marker not found');
  return Buffer.concat([frame.subarray(0, at), avro.Type.forSchema('long').toBuffer(count)]);
}

export function wirePoison(): PoisonMessage[] {
  const track = avroBytes('behavior', behaviorBase('wire'));
  const survey = avroBytes('surveys', surveyBase('wire'));
  const invoice = avroBytes('billing', invoiceBase('wire'));
  const ticket = avroBytes('tickets', ticketBase('wire'));
  const oneTag = avroBytes('tickets', { ...ticketBase('bomb'), tags: ['QQQQ'] });
  const oneKey = avroBytes(
    'billing',
    mutate(invoiceBase('bomb'), ['data', 'object', 'metadata'], { QQQQ: 'RRRR' }),
  );
  return [
    {
      class: 'avro_block_count_bomb',
      source: 'tickets',
      value: claimingBlock(oneTag, [0x02, 0x08, 0x51, 0x51, 0x51, 0x51, 0x00], 2 ** 31 - 1),
      expectedReason: 'avro_decode_failed',
      note: 'tags block claiming 2^31 - 1 items in ~110 bytes: avsc allocated until the heap ran out',
    },
    {
      class: 'avro_block_count_bomb',
      source: 'billing',
      value: claimingBlock(oneKey, [0x02, 0x08, 0x51, 0x51, 0x51, 0x51, 0x08], -(2 ** 40)),
      expectedReason: 'avro_decode_failed',
      note: 'metadata map block claiming 2^40 entries (negative count form)',
    },
    {
      class: 'null_body',
      source: 'behavior',
      value: null,
      key: null,
      expectedReason: 'empty_message',
      note: 'tombstone',
    },
    {
      class: 'null_body',
      source: 'billing',
      value: null,
      key: Buffer.from('cus_1'),
      expectedReason: 'empty_message',
      note: 'tombstone with a key',
    },
    {
      class: 'null_body',
      source: 'commands',
      value: null,
      expectedReason: 'empty_message',
      note: 'tombstone on the commands topic',
    },
    {
      class: 'empty_body',
      source: 'surveys',
      value: Buffer.alloc(0),
      expectedReason: 'empty_message',
      note: 'zero bytes',
    },
    {
      class: 'empty_body',
      source: 'tickets',
      value: Buffer.alloc(0),
      expectedReason: 'empty_message',
      note: 'zero bytes',
    },
    {
      class: 'empty_body',
      source: 'commands',
      value: Buffer.alloc(0),
      expectedReason: 'empty_message',
      note: 'zero bytes',
    },
    {
      class: 'non_json_bytes',
      source: 'behavior',
      value: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]),
      expectedReason: 'unknown_magic_byte',
      note: 'a gzip header',
    },
    {
      class: 'non_json_bytes',
      source: 'tickets',
      value: Buffer.from('type=track&userId=u1'),
      expectedReason: 'unknown_magic_byte',
      note: 'form-encoded text',
    },
    {
      class: 'non_json_bytes',
      source: 'billing',
      value: Buffer.from('{"type":"invoice.paid",'),
      expectedReason: 'invalid_json',
      note: 'JSON cut off',
    },
    {
      class: 'non_json_bytes',
      source: 'commands',
      value: Buffer.from([0xff, 0xfe, 0x00, 0x01]),
      expectedReason: 'invalid_json',
      note: 'binary',
    },
    {
      class: 'json_not_object',
      source: 'behavior',
      value: Buffer.from('null'),
      expectedReason: 'unknown_magic_byte',
      note: 'JSON null at top level',
    },
    {
      class: 'json_not_object',
      source: 'surveys',
      value: Buffer.from('42'),
      expectedReason: 'unknown_magic_byte',
      note: 'a JSON number',
    },
    {
      class: 'json_not_object',
      source: 'tickets',
      value: Buffer.from('"a string"'),
      expectedReason: 'unknown_magic_byte',
      note: 'a JSON string',
    },
    {
      class: 'json_not_object',
      source: 'billing',
      value: jsonBytes([invoiceBase('array')]),
      expectedReason: 'unknown_magic_byte',
      note: 'a valid event inside an array',
    },
    {
      class: 'json_not_object',
      source: 'commands',
      value: Buffer.from('null'),
      expectedReason: 'invalid_field',
      note: 'JSON null: was a TypeError in parseIdentityCommand (null.command_id) before 1d4a52c',
    },
    {
      class: 'json_not_object',
      source: 'commands',
      value: Buffer.from('[1,2]'),
      expectedReason: 'invalid_field',
      note: 'an array',
    },
    {
      class: 'confluent_unknown_schema_id',
      source: 'behavior',
      value: withBody(track, UNKNOWN_SCHEMA_ID),
      expectedReason: 'unknown_schema_id',
      note: 'valid body, id the registry does not know',
    },
    {
      class: 'confluent_unknown_schema_id',
      source: 'surveys',
      value: withBody(survey, 0xffffffff),
      expectedReason: 'unknown_schema_id',
      note: 'id 2^32 - 1',
    },
    {
      class: 'confluent_unknown_schema_id',
      source: 'billing',
      value: withBody(invoice, 0),
      expectedReason: 'unknown_schema_id',
      note: 'id 0',
    },
    {
      class: 'confluent_unknown_schema_id',
      source: 'tickets',
      value: withBody(ticket, UNKNOWN_SCHEMA_ID),
      expectedReason: 'unknown_schema_id',
      note: 'valid body, unknown id',
    },
    {
      class: 'unparseable_writer_schema',
      source: 'behavior',
      value: withBody(track, UNPARSEABLE_SCHEMA_ID),
      expectedReason: 'unparseable_writer_schema',
      note: 'the registry serves a schema avsc rejects',
    },
    {
      class: 'unparseable_writer_schema',
      source: 'billing',
      value: withBody(invoice, UNPARSEABLE_SCHEMA_ID),
      expectedReason: 'unparseable_writer_schema',
      note: 'same id again: remembered, not refetched',
    },
    {
      class: 'truncated_confluent_frame',
      source: 'behavior',
      value: Buffer.from([0]),
      expectedReason: 'avro_decode_failed',
      note: 'magic byte only',
    },
    {
      class: 'truncated_confluent_frame',
      source: 'surveys',
      value: Buffer.from([0, 0, 0]),
      expectedReason: 'avro_decode_failed',
      note: 'magic byte + 2 bytes',
    },
    {
      class: 'truncated_confluent_frame',
      source: 'tickets',
      value: confluentFrame(SCHEMA_IDS.tickets, Buffer.alloc(0)),
      expectedReason: 'avro_decode_failed',
      note: 'header with a known id, no body',
    },
    {
      class: 'truncated_confluent_frame',
      source: 'billing',
      value: invoice.subarray(0, Math.floor(invoice.length / 2)),
      expectedReason: 'avro_decode_failed',
      note: 'body cut in half',
    },
    {
      class: 'avro_body_mismatch',
      source: 'behavior',
      value: withBody(survey, SCHEMA_IDS.behavior),
      expectedReason: 'avro_decode_failed',
      note: 'a survey body under the behavior id',
    },
    {
      class: 'avro_body_mismatch',
      source: 'surveys',
      value: confluentFrame(
        SCHEMA_IDS.surveys,
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
      ),
      expectedReason: 'avro_decode_failed',
      note: 'a string length of 2^62',
    },
    {
      class: 'avro_body_mismatch',
      source: 'billing',
      value: Buffer.concat([avroBytes('billing', subscriptionBase('wire')), Buffer.from([1, 2, 3])]),
      expectedReason: 'avro_decode_failed',
      note: 'valid body + 3 trailing bytes',
    },
  ];
}
