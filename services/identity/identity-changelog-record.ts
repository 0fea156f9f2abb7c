// The identity changelog: a compacted Kafka topic from which the graph is rebuilt on restart.
// One record per identifier (key "n:<identifier key>"), per person's memberships
// ("m:<person id>") and per GDPR tombstone ("x:<tombstone hash>"). Each key's latest value fully
// describes that piece of state, so log compaction never loses anything; a null value deletes
// the key (and lets compaction erase a deleted identifier from the topic).
// Wire values are compact JSON: node {"p":"p_…","f":2}, membership [["acme",-1,1700…],…],
// tombstone {"f":123456,"t":1700…}, checkpoint ("o:<input partition>") {"o":"1234"}, and for the
// partitioned journey's resolve step a routed person key ("r:<person id>") 1.

import type { MembershipEntry } from './account-membership.ts';

export type ChangelogRecord =
  | { kind: 'node'; identifier_key: string; person_id: string | null; flags: number }
  | { kind: 'membership'; person_id: string; accounts: MembershipEntry[] | null }
  | { kind: 'tombstone'; hash: string; filter: number; deleted_at: number }
  /** The partitioned journey's resolve step: a person key that may hold a pre-account state
   *  (services/journey/route-resolved.ts); `routed: false` deletes it. Not part of the graph. */
  | { kind: 'routed'; person_id: string; routed: boolean }
  /** Written by the shell after each batch: the graph includes every input record up to and
   * including `offset` of input partition `source_partition`. Restore resumes after it. */
  | { kind: 'checkpoint'; source_partition: number; offset: string };

export interface ChangelogMessage {
  key: string;
  value: string | null;
}

export function encodeChangelogRecord(record: ChangelogRecord): ChangelogMessage {
  switch (record.kind) {
    case 'node':
      return {
        key: `n:${record.identifier_key}`,
        value: record.person_id === null ? null : JSON.stringify({ p: record.person_id, f: record.flags }),
      };
    case 'membership':
      return {
        key: `m:${record.person_id}`,
        value:
          record.accounts === null
            ? null
            : JSON.stringify(record.accounts.map((a) => [a.account_key, a.explicit_at, a.last_seen_at])),
      };
    case 'tombstone':
      return { key: `x:${record.hash}`, value: JSON.stringify({ f: record.filter, t: record.deleted_at }) };
    case 'checkpoint':
      return { key: `o:${record.source_partition}`, value: JSON.stringify({ o: record.offset }) };
    case 'routed':
      return { key: `r:${record.person_id}`, value: record.routed ? '1' : null };
  }
}

export type DecodeResult = { kind: 'ok'; record: ChangelogRecord } | { kind: 'invalid'; detail: string };

export function decodeChangelogRecord(message: ChangelogMessage): DecodeResult {
  const { key, value } = message;
  const body = key.slice(2);
  try {
    if (key.startsWith('n:')) {
      if (value === null)
        return { kind: 'ok', record: { kind: 'node', identifier_key: body, person_id: null, flags: 0 } };
      const parsed = JSON.parse(value) as { p?: unknown; f?: unknown };
      if (typeof parsed.p !== 'string' || typeof parsed.f !== 'number') return invalid(key);
      return {
        kind: 'ok',
        record: { kind: 'node', identifier_key: body, person_id: parsed.p, flags: parsed.f },
      };
    }
    if (key.startsWith('m:')) {
      if (value === null)
        return { kind: 'ok', record: { kind: 'membership', person_id: body, accounts: null } };
      const parsed = JSON.parse(value) as unknown;
      if (!Array.isArray(parsed)) return invalid(key);
      const accounts: MembershipEntry[] = [];
      for (const item of parsed as unknown[]) {
        if (
          !Array.isArray(item) ||
          typeof item[0] !== 'string' ||
          typeof item[1] !== 'number' ||
          typeof item[2] !== 'number'
        ) {
          return invalid(key);
        }
        accounts.push({ account_key: item[0], explicit_at: item[1], last_seen_at: item[2] });
      }
      return { kind: 'ok', record: { kind: 'membership', person_id: body, accounts } };
    }
    if (key.startsWith('x:') && value !== null) {
      const parsed = JSON.parse(value) as { f?: unknown; t?: unknown };
      if (typeof parsed.f !== 'number' || typeof parsed.t !== 'number') return invalid(key);
      return {
        kind: 'ok',
        record: { kind: 'tombstone', hash: body, filter: parsed.f, deleted_at: parsed.t },
      };
    }
    if (key.startsWith('r:'))
      return { kind: 'ok', record: { kind: 'routed', person_id: body, routed: value !== null } };
    if (key.startsWith('o:') && value !== null) {
      const partition = Number(body);
      const parsed = JSON.parse(value) as { o?: unknown };
      if (!Number.isInteger(partition) || typeof parsed.o !== 'string') return invalid(key);
      return { kind: 'ok', record: { kind: 'checkpoint', source_partition: partition, offset: parsed.o } };
    }
  } catch (err) {
    return { kind: 'invalid', detail: `${key}: ${(err as Error).message}` };
  }
  return invalid(key);
}

const invalid = (key: string): DecodeResult => ({
  kind: 'invalid',
  detail: `unreadable changelog record ${key}`,
});
