// Poison in size: nesting 10,000 deep, 100,000 keys, strings and arrays past the limits, text
// whose emails grow tenfold when pseudonymised, and the inputs that made the email-in-text regex
// quadratic ('a' x n + '@' + 'a' x n, no dot). Sizes follow DEFAULT_INGEST_LIMITS.
import { DEFAULT_INGEST_LIMITS } from '../../services/ingest/ingest-config.ts';
import type { PoisonMessage, PoisonSource } from './poison-message.ts';
import {
  avroBytes,
  behaviorBase,
  commandBase,
  invoiceBase,
  jsonBytes,
  mutate,
  rawJson,
  slot,
  subscriptionBase,
  surveyBase,
  ticketBase,
} from './poison-message.ts';

const limits = DEFAULT_INGEST_LIMITS;
const deepObject = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const deepArray = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const wideObject = (keys: number): string =>
  `{${Array.from({ length: keys }, (_, i) => `"k${i}":0`).join(',')}}`;
/** One string of `length` characters made of "a@b.io " (each email becomes "hmac:" + 64 hex). */
const emailText = (length: number): string => 'a@b.io '.repeat(Math.ceil(length / 7)).slice(0, length);
/** The email regex's worst case: long runs around an '@' and no dot anywhere. */
const noDot = (length: number): string =>
  'a'.repeat(length >> 1) + '@' + 'a'.repeat(length - (length >> 1) - 1);

type Entry = [string, PoisonSource, Buffer, string | undefined, string];

function entries(): Entry[] {
  const track = (tag: string, properties: unknown) => ({ ...behaviorBase(tag), properties });
  const maxString = limits.maxStringLength;
  return [
    [
      'deep_json',
      'behavior',
      rawJson(track('deep', slot('deep')), { deep: deepObject(10_000) }),
      'too_deep',
      'properties nested 10,000 objects deep',
    ],
    [
      'deep_json',
      'tickets',
      rawJson({ ...ticketBase('deep'), via: slot('deep') }, { deep: deepArray(10_000) }),
      'too_deep',
      'via: 10,000 nested arrays',
    ],
    [
      'deep_json',
      'behavior',
      avroBytes('behavior', {
        ...behaviorBase('deep-avro'),
        properties: undefined,
        properties_json: deepObject(10_000),
      }),
      'too_deep',
      'Avro properties_json nested 10,000 deep',
    ],
    [
      'deep_json',
      'surveys',
      rawJson({ ...surveyBase('deep-200k'), extra: slot('deep') }, { deep: deepArray(200_000) }),
      'too_deep',
      '200,000 nested arrays, within the byte limit',
    ],
    [
      'deep_json',
      'commands',
      rawJson({ ...commandBase('deep'), command_id: slot('deep') }, { deep: deepArray(10_000) }),
      'missing_required_field',
      'command_id nested 10,000 deep',
    ],
    [
      'wide_json',
      'behavior',
      rawJson(track('wide', slot('wide')), { wide: wideObject(100_000) }),
      'message_too_large',
      '100,000 properties (1.2 MB)',
    ],
    [
      'wide_json',
      'behavior',
      rawJson(track('wide-20k', slot('wide')), { wide: wideObject(20_000) }),
      'too_many_properties',
      '20,000 properties, within the byte limit',
    ],
    [
      'wide_json',
      'billing',
      rawJson(mutate(invoiceBase('wide'), ['data', 'object', 'metadata'], slot('wide')), {
        wide: wideObject(limits.maxPropertyCount + 1),
      }),
      'too_many_properties',
      'metadata with one key too many',
    ],
    [
      'wide_json',
      'commands',
      rawJson({ ...commandBase('wide'), extra: slot('wide') }, { wide: wideObject(20_000) }),
      undefined,
      'a command with 20,000 extra keys: the parser ignores them',
    ],
    [
      'huge_strings',
      'behavior',
      jsonBytes({ ...behaviorBase('long-id'), userId: 'u'.repeat(limits.maxIdentifierLength + 1) }),
      'identifier_too_long',
      'userId one character too long',
    ],
    [
      'huge_strings',
      'behavior',
      jsonBytes(track('long-title', { title: 'x'.repeat(maxString + 1) })),
      'string_too_long',
      'a property one character too long',
    ],
    [
      'huge_strings',
      'behavior',
      rawJson(track('long-key', slot('o')), { o: `{"${'k'.repeat(maxString + 1)}":1}` }),
      'string_too_long',
      'a property key one character too long',
    ],
    [
      'huge_strings',
      'surveys',
      jsonBytes({ ...surveyBase('long-comment'), comment: 'x'.repeat(maxString + 1) }),
      'string_too_long',
      'comment one character too long',
    ],
    [
      'huge_strings',
      'tickets',
      jsonBytes({ ...ticketBase('huge-subject'), subject: 'x'.repeat(limits.maxMessageBytes) }),
      'message_too_large',
      'a subject as large as the byte limit',
    ],
    [
      'huge_strings',
      'billing',
      jsonBytes({ ...invoiceBase('long-id'), id: `evt_${'x'.repeat(limits.maxIdentifierLength)}` }),
      'identifier_too_long',
      'event id one character too long',
    ],
    [
      'huge_strings',
      'commands',
      jsonBytes({
        command: 'split',
        command_id: 'cmd-long',
        identifier_type: 'user_id',
        value: 'u'.repeat(64 * 1024),
      }),
      undefined,
      'a split of a 64 KiB identifier: the parser has no length limit',
    ],
    [
      'huge_arrays',
      'behavior',
      jsonBytes(track('array-300k', { items: new Array(270_000).fill(0) })),
      'message_too_large',
      '270,000 numbers',
    ],
    [
      'huge_arrays',
      'behavior',
      jsonBytes(track('array-objects', { items: Array.from({ length: 1_000 }, (_, i) => ({ sku: i })) })),
      'too_many_properties',
      '1,000 objects in an array',
    ],
    [
      'huge_arrays',
      'tickets',
      jsonBytes({ ...ticketBase('tags'), tags: new Array(100_000).fill('t') }),
      'too_many_properties',
      '100,000 tags: were not counted (arrays hold no keys)',
    ],
    [
      'email_growth',
      'behavior',
      jsonBytes(
        track(
          'emails',
          Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`note${i}`, emailText(maxString)])),
        ),
      ),
      'message_too_large',
      '18,000 emails in 128 KiB grow to 1.3 MB pseudonymised',
    ],
    [
      'email_growth',
      'surveys',
      jsonBytes({ ...surveyBase('emails'), comment: emailText(maxString) }),
      undefined,
      '2,300 emails in one comment: 160 KiB after pseudonymisation, within the canonical limit',
    ],
    [
      'email_redos',
      'surveys',
      jsonBytes({ ...surveyBase('redos'), comment: noDot(maxString) }),
      undefined,
      "comment 'a' x 8k + '@' + 'a' x 8k",
    ],
    [
      'email_redos',
      'behavior',
      jsonBytes(
        track('redos', Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`t${i}`, noDot(maxString)]))),
      ),
      undefined,
      '12 such strings: ~2 s with the regex',
    ],
    [
      'email_redos',
      'tickets',
      jsonBytes({ ...ticketBase('redos'), subject: 'a'.repeat(maxString - 2) + ' @' }),
      undefined,
      'a 16k run without @ then a lone @',
    ],
    [
      'email_redos',
      'billing',
      jsonBytes(
        mutate(subscriptionBase('redos'), ['data', 'object', 'cancellation_details'], {
          comment: noDot(maxString),
        }),
      ),
      undefined,
      'cancellation comment without a dot',
    ],
  ];
}

export function sizePoison(): PoisonMessage[] {
  return entries().map(([cls, source, value, expectedReason, note]) => ({
    class: cls,
    source,
    value,
    ...(expectedReason === undefined ? { accepted: true as const } : { expectedReason }),
    note,
  }));
}
