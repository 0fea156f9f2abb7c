// The fault-injection suite's input: a deterministic stream of valid Segment messages (identify,
// group, track) for `users` people in `accounts` accounts, keyed by user so a person's messages stay
// in order on one raw partition. Every fifth track is Confluent-framed Avro (the registry matters
// to the ingest), the rest JSON. Every message is a distinct valid event: what is sent is what
// must be stored, exactly once. `duplicates` re-sends that share of messages right after their
// original (the same messageId): the dedup negative control needs them.
import { confluentFrame } from '../shared/kafka/canonical-codec.ts';
import { toAvroShape } from '../ingest/input-avro.ts';
import type { inputAvroType } from '../ingest/input-avro.ts';
import { Rng } from '../workload/prng.ts';

export interface StreamOptions {
  events: number;
  seed: number;
  startMs: number;
  users?: number;
  accounts?: number;
  duplicates?: number;
  avro?: { id: number; type: ReturnType<typeof inputAvroType> };
}

export interface StreamMessage {
  key: string;
  value: Buffer;
  /** The canonical event id the ingest derives for it is not known here: messageId identifies it. */
  messageId: string;
  duplicate: boolean;
}

const EVENTS = ['Logged In', 'Feature Used', 'Report Created', 'Invite Sent', 'Dashboard Viewed'];

export function* chaosStream(options: StreamOptions): Generator<StreamMessage> {
  const users = options.users ?? 300;
  const accounts = options.accounts ?? 40;
  const rng = new Rng(options.seed);
  const spacingMs = Math.max(1, Math.floor((20 * 86_400_000) / Math.max(1, options.events)));
  for (let i = 0; i < options.events; i++) {
    const u = i < users ? i : rng.int(0, users - 1);
    const userId = `chaos-user-${u}`;
    const t = new Date(options.startMs + i * spacingMs).toISOString();
    const base = { messageId: `chaos-${options.seed}-${i}`, userId, timestamp: t, sentAt: t, receivedAt: t };
    let payload: Record<string, unknown>;
    if (i < users)
      payload = { ...base, type: 'identify', traits: { email: `${userId}@example.com`, plan: 'team' } };
    else if (i < 2 * users)
      payload = {
        ...base,
        type: 'group',
        groupId: `chaos-org-${u % accounts}`,
        traits: { employees: 10 + (u % 90) },
      };
    else
      payload = {
        ...base,
        type: 'track',
        event: i < 3 * users ? 'Signed Up' : EVENTS[rng.int(0, EVENTS.length - 1)],
        properties: { n: i },
      };
    const value =
      options.avro && payload.type === 'track' && i % 5 === 0
        ? confluentFrame(options.avro.id, options.avro.type.toBuffer(toAvroShape('behavior', payload)))
        : Buffer.from(JSON.stringify(payload));
    yield { key: userId, value, messageId: base.messageId, duplicate: false };
    if (options.duplicates && rng.chance(options.duplicates))
      yield { key: userId, value, messageId: base.messageId, duplicate: true };
  }
}
