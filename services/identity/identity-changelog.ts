// Rebuilding the graph from its changelog, and writing the whole graph as one (for a fresh or
// re-partitioned changelog topic). Records may arrive in any order a compacted topic allows:
// persons emptied mid-restore are kept until completeRestore, which drops the ones still empty.

import type { ChangelogRecord } from './identity-changelog-record.ts';
import { membershipEntries, setMemberships } from './account-membership.ts';
import {
  addNode,
  allocatePerson,
  attachNode,
  createIdentityGraph,
  detachNode,
  forgetNode,
  nodesOf,
  personIdOf,
  releasePerson,
  setPersonId,
  type IdentityGraph,
} from './identity-graph.ts';

function personSlot(g: IdentityGraph, personId: string): number {
  const existing = g.personSlotById.get(personId);
  if (existing !== undefined) return existing;
  const slot = allocatePerson(g);
  setPersonId(g, slot, personId);
  return slot;
}

export function applyChangelogRecord(g: IdentityGraph, record: ChangelogRecord): IdentityGraph {
  switch (record.kind) {
    case 'node': {
      const node = g.nodeIndex.get(record.identifier_key);
      if (record.person_id === null) {
        if (node !== undefined) {
          detachNode(g, node, false);
          forgetNode(g, node);
        }
        return g;
      }
      const person = personSlot(g, record.person_id);
      if (node === undefined) {
        addNode(g, record.identifier_key, person, record.flags);
        return g;
      }
      g.nodeFlags[node] = record.flags;
      if ((g.nodePerson[node] as number) !== person) {
        detachNode(g, node, false);
        attachNode(g, node, person);
      }
      return g;
    }
    case 'membership': {
      if (record.accounts === null) {
        const slot = g.personSlotById.get(record.person_id);
        if (slot !== undefined) setMemberships(g, slot, []);
        return g;
      }
      setMemberships(g, personSlot(g, record.person_id), record.accounts);
      return g;
    }
    case 'tombstone':
      g.tombstones.set(record.hash, { deleted_at: record.deleted_at, filter: record.filter });
      g.tombstoneFilter.add(record.filter);
      return g;
    case 'checkpoint':
      g.checkpoints.set(record.source_partition, record.offset);
      return g;
    case 'routed':
      return g;
  }
}

/** Drops persons left without identifiers (absorbed or deleted after their last membership record). */
export function completeRestore(g: IdentityGraph): IdentityGraph {
  for (const slot of [...g.personSlotById.values()]) {
    if ((g.personSize[slot] as number) === 0) releasePerson(g, slot);
  }
  return g;
}

export function restoreIdentityGraph(records: Iterable<ChangelogRecord>): IdentityGraph {
  const g = createIdentityGraph();
  for (const record of records) applyChangelogRecord(g, record);
  return completeRestore(g);
}

/** Record the shell appends after a batch's records, in the same changelog partition. */
export const checkpointRecord = (sourcePartition: number, offset: string): ChangelogRecord => ({
  kind: 'checkpoint',
  source_partition: sourcePartition,
  offset,
});

/** The whole graph as changelog records: nodes, memberships, tombstones, then checkpoints. */
export function* dumpChangelog(g: IdentityGraph): Generator<ChangelogRecord> {
  for (const slot of g.personSlotById.values()) {
    const personId = personIdOf(g, slot);
    for (const node of nodesOf(g, slot)) {
      yield {
        kind: 'node',
        identifier_key: g.nodeKeys[node] as string,
        person_id: personId,
        flags: g.nodeFlags[node] as number,
      };
    }
  }
  for (const slot of g.personSlotById.values()) {
    if (g.memberships[slot] !== undefined) {
      yield { kind: 'membership', person_id: personIdOf(g, slot), accounts: membershipEntries(g, slot) };
    }
  }
  for (const [hash, { deleted_at, filter }] of g.tombstones) {
    yield { kind: 'tombstone', hash, filter, deleted_at };
  }
  for (const [source_partition, offset] of g.checkpoints)
    yield { kind: 'checkpoint', source_partition, offset };
}
