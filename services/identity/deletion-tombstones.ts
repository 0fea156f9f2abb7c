// GDPR tombstones. Deleting a person keeps, per identifier, a hash of its key and the deletion
// time — never the identifier itself. An event that carries a tombstoned identifier and happened
// at or before the deletion is a replay of old data and is suppressed; an event that happened
// after it (the person came back and signed up again) starts a new person.
// A 32-bit FNV pre-filter keeps SHA-256 off the per-event path unless a key may be tombstoned.

import type { ChangelogRecord } from './identity-changelog-record.ts';
import type { IdentityGraph } from './identity-graph.ts';
import { fnv32, tombstoneHashFor } from './identity-hash.ts';

export function isSuppressed(g: IdentityGraph, keys: readonly string[], eventTime: number): boolean {
  if (g.tombstones.size === 0) return false;
  for (const key of keys) {
    if (!g.tombstoneFilter.has(fnv32(key))) continue;
    const tombstone = g.tombstones.get(tombstoneHashFor(key));
    if (tombstone !== undefined && eventTime <= tombstone.deleted_at) return true;
  }
  return false;
}

export function addTombstone(g: IdentityGraph, key: string, deletedAt: number): ChangelogRecord {
  const hash = tombstoneHashFor(key);
  const filter = fnv32(key);
  const previous = g.tombstones.get(hash);
  const deleted_at = Math.max(previous?.deleted_at ?? deletedAt, deletedAt);
  g.tombstones.set(hash, { deleted_at, filter });
  g.tombstoneFilter.add(filter);
  return { kind: 'tombstone', hash, filter, deleted_at };
}
