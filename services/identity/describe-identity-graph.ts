// A canonical, order-free description of the graph: persons with their sorted identifier keys,
// flags and memberships, and the tombstones. Two graphs describe equal exactly when they hold the
// same identity state, however their slots were laid out — used by restore tests and operator tools.

import { membershipEntries, type MembershipEntry } from './account-membership.ts';
import { keyOf, nodesOf, type IdentityGraph } from './identity-graph.ts';

export interface PersonDescription {
  person_id: string;
  identifiers: { key: string; flags: number }[];
  accounts: MembershipEntry[];
}

export interface IdentityGraphDescription {
  persons: PersonDescription[];
  tombstones: { hash: string; deleted_at: number }[];
  checkpoints: [number, string][];
}

const byString =
  <T>(pick: (item: T) => string) =>
  (a: T, b: T) =>
    pick(a) < pick(b) ? -1 : pick(a) > pick(b) ? 1 : 0;

export function describePerson(g: IdentityGraph, slot: number): PersonDescription {
  return {
    person_id: g.personIds[slot] as string,
    identifiers: nodesOf(g, slot)
      .map((n) => ({ key: keyOf(g, n), flags: g.nodeFlags[n] as number }))
      .sort(byString((i) => i.key)),
    accounts: membershipEntries(g, slot),
  };
}

export function describeIdentityGraph(g: IdentityGraph): IdentityGraphDescription {
  return {
    persons: [...g.personSlotById.values()]
      .map((slot) => describePerson(g, slot))
      .sort(byString((p) => p.person_id)),
    tombstones: [...g.tombstones]
      .map(([hash, t]) => ({ hash, deleted_at: t.deleted_at }))
      .sort(byString((t) => t.hash)),
    checkpoints: [...g.checkpoints].sort((a, b) => a[0] - b[0]),
  };
}

/** The person holding an identifier key, or null. */
export function personOfKey(g: IdentityGraph, key: string): string | null {
  const node = g.nodeIndex.get(key);
  return node === undefined ? null : (g.personIds[g.nodePerson[node] as number] as string);
}
