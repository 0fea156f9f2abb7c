// Poison messages, each tagged with the DLQ reason the ingest stage must give
// (services/shared/results.ts DlqReason): broken JSON, random bytes, a wrong magic byte, a
// truncated payload, an oversized one, one nested too deep, a far-future timestamp, junk-only
// identifiers, an empty value, invalid UTF-8. Byte kinds are Buffers the shell sends as they are.
import type { IngestLimits } from '../ingest/ingest-config.ts';
import type { DlqReason } from '../shared/results.ts';
import type { Rng } from './prng.ts';
import type { PendingMessage, RawMessage, Topic } from './workload-message.ts';

export interface MalformedKind {
  kind: string;
  reason: DlqReason;
  /** Object-valued kinds are Segment messages and go to the behavior topic. */
  behaviorOnly: boolean;
}

export const MALFORMED_KINDS: readonly MalformedKind[] = [
  { kind: 'invalid_json', reason: 'invalid_json', behaviorOnly: false },
  { kind: 'random_bytes', reason: 'unknown_magic_byte', behaviorOnly: false },
  { kind: 'wrong_magic_byte', reason: 'unknown_magic_byte', behaviorOnly: false },
  { kind: 'truncated', reason: 'invalid_json', behaviorOnly: false },
  { kind: 'oversized', reason: 'message_too_large', behaviorOnly: false },
  { kind: 'too_deep', reason: 'too_deep', behaviorOnly: true },
  { kind: 'far_future', reason: 'timestamp_out_of_window', behaviorOnly: true },
  { kind: 'junk_identifiers', reason: 'no_identifier', behaviorOnly: true },
  { kind: 'empty', reason: 'empty_message', behaviorOnly: false },
  { kind: 'invalid_utf8', reason: 'invalid_utf8', behaviorOnly: false },
];

const BROKEN_JSON = [
  '{"type":"track","event":"Feature Used",}',
  "{'type':'track','userId':'u1'}",
  '{"type":"track","properties":{"feature":"exports"}',
  '{"type":"page" "name":"/home"}',
];
const YEAR_MS = 365 * 86_400_000;

function track(rng: Rng, sendTimeMs: number, fields: Record<string, unknown>): Record<string, unknown> {
  const iso = new Date(sendTimeMs).toISOString();
  return {
    type: 'track',
    messageId: rng.uuid(),
    anonymousId: rng.uuid(),
    event: 'Feature Used',
    properties: { feature: 'dashboards' },
    context: { library: { name: 'analytics.js', version: '5.2.0' } },
    timestamp: iso,
    sentAt: iso,
    receivedAt: iso,
    ...fields,
  };
}

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) value = { level: value };
  return value;
}

function randomBytes(rng: Rng, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = rng.int(0, 255);
  // Neither the Avro magic byte 0, JSON whitespace / '{', nor a UTF-8 BOM.
  bytes[0] = rng.pick([0x01, 0x02, 0x1f, 0x41, 0x5b, 0x7f, 0x80, 0xc3, 0xfe]);
  return bytes;
}

function value(
  kind: string,
  rng: Rng,
  sendTimeMs: number,
  sample: RawMessage,
  limits: IngestLimits,
): object | Buffer {
  switch (kind) {
    case 'invalid_json':
      return Buffer.from(rng.pick(BROKEN_JSON));
    case 'random_bytes':
      return randomBytes(rng, rng.int(8, 256));
    case 'wrong_magic_byte':
      return Buffer.concat([Buffer.from([rng.int(1, 9), 0, 0, 0, rng.int(1, 50)]), randomBytes(rng, 32)]);
    case 'truncated': {
      const text = Buffer.isBuffer(sample.value) ? '{"type":"track"' : JSON.stringify(sample.value);
      return Buffer.from(text.slice(0, Math.max(2, Math.floor(text.length * rng.between(0.2, 0.9)))));
    }
    case 'oversized': {
      const chunk = 'x'.repeat(Math.min(8_000, limits.maxStringLength));
      const count = Math.ceil((limits.maxMessageBytes + 1_024) / chunk.length);
      return Buffer.from(
        JSON.stringify(
          track(rng, sendTimeMs, { properties: { blobs: Array.from({ length: count }, () => chunk) } }),
        ),
      );
    }
    case 'too_deep':
      return track(rng, sendTimeMs, { properties: nested(limits.maxDepth + 4) });
    case 'far_future':
      return track(rng, sendTimeMs, { timestamp: new Date(sendTimeMs + YEAR_MS).toISOString() });
    case 'junk_identifiers':
      return track(rng, sendTimeMs, {
        anonymousId: rng.pick(['null', 'undefined', '0', '00000000-0000-0000-0000-000000000000']),
        userId: rng.pick(['anonymous', '-1', '[object Object]', '']),
      });
    case 'empty':
      return Buffer.alloc(0);
    default:
      return Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]);
  }
}

/** A malformed message sent right after `sample` (whose payload the truncated kind cuts). */
export function malformedMessage(
  rng: Rng,
  sample: RawMessage,
  limits: IngestLimits,
  serial: number,
): PendingMessage {
  const spec = rng.pick(MALFORMED_KINDS);
  const topic: Topic = spec.behaviorOnly ? 'behavior' : sample.topic;
  const payload = value(spec.kind, rng, sample.sendTimeMs, sample, limits);
  return {
    message: {
      topic,
      key: `malformed-${serial}`,
      value: payload,
      encoding: 'json',
      eventTimeMs: sample.sendTimeMs,
      sendTimeMs: sample.sendTimeMs,
      malformed: spec.reason,
    },
    malformedKind: spec.kind,
  };
}
