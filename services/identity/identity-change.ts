// Change tracking for one event or command: snapshot the persons a step is about to touch, let it
// mutate the graph, then derive everything the outside world must learn — new person ids from
// anchors, merge effects, identity_map and person_overrides rows, changelog records.
// Keeping this in one place is what makes "every change is in the changelog" hold by construction.

import { membershipEntries } from './account-membership.ts';
import type { IdentityEffect, IdentityOutput, MergeReason } from './identity-effects.ts';
import {
  FLAG_WAS_ANCHOR,
  keyOf,
  nextVersion,
  nodesOf,
  setPersonId,
  type IdentityGraph,
} from './identity-graph.ts';
import { personIdFor } from './identity-hash.ts';

interface NodeBefore {
  key: string;
  personId: string | null;
  flags: number;
}

export interface ChangeSet {
  readonly nodes: Map<number, NodeBefore>;
  /** person id before the change -> whether it had memberships */
  readonly persons: Map<string, boolean>;
  /** person slot -> its id before the change */
  readonly trackedSlots: Map<number, string>;
  /** persons whose memberships changed (merged ones included) */
  readonly membershipSlots: Set<number>;
}

export const beginChange = (): ChangeSet => ({
  nodes: new Map(),
  persons: new Map(),
  trackedSlots: new Map(),
  membershipSlots: new Set(),
});

/** Call before mutating a person: remembers its id, memberships and nodes. */
export function trackPerson(g: IdentityGraph, cs: ChangeSet, slot: number): void {
  if (cs.trackedSlots.has(slot)) return;
  const personId = g.personIds[slot] as string;
  cs.trackedSlots.set(slot, personId);
  cs.persons.set(personId, g.memberships[slot] !== undefined);
  for (const node of nodesOf(g, slot)) {
    if (!cs.nodes.has(node))
      cs.nodes.set(node, { key: keyOf(g, node), personId, flags: g.nodeFlags[node] as number });
  }
}

export function trackNewNode(g: IdentityGraph, cs: ChangeSet, node: number): void {
  cs.nodes.set(node, { key: keyOf(g, node), personId: null, flags: g.nodeFlags[node] as number });
}

/** Gives a person the id of its anchor, marking the anchor as having named a person. */
export function refreshPersonId(g: IdentityGraph, slot: number): string {
  const anchor = g.personAnchor[slot] as number;
  const id = personIdFor(keyOf(g, anchor));
  setPersonId(g, slot, id);
  g.nodeFlags[anchor] = (g.nodeFlags[anchor] as number) | FLAG_WAS_ANCHOR;
  return id;
}

export interface ChangeContext {
  eventId: string;
  at: number;
  reason: MergeReason;
}

export function finishChange(g: IdentityGraph, cs: ChangeSet, ctx: ChangeContext, out: IdentityOutput): void {
  const finalSlots = new Set<number>();
  for (const node of cs.nodes.keys()) {
    if (g.nodeKeys[node] === cs.nodes.get(node)?.key) finalSlots.add(g.nodePerson[node] as number);
  }
  for (const slot of finalSlots) refreshPersonId(g, slot);

  const version = nextVersion(g, ctx.at);
  const finalIdsOfOld = new Map<string, Set<string>>();
  for (const [node, before] of cs.nodes) {
    const alive = g.nodeKeys[node] === before.key;
    const personId = alive ? (g.personIds[g.nodePerson[node] as number] as string) : null;
    const flags = alive ? (g.nodeFlags[node] as number) : 0;
    if (before.personId !== null && personId !== null) {
      const finals = finalIdsOfOld.get(before.personId) ?? new Set<string>();
      finals.add(personId);
      finalIdsOfOld.set(before.personId, finals);
    }
    if (personId === before.personId && flags === before.flags) continue;
    out.changelog.push({ kind: 'node', identifier_key: before.key, person_id: personId, flags });
    if (personId === null) continue; // deletions write their own rows
    if (personId !== before.personId) {
      out.rows.identity_map.push({ identifier_key: before.key, person_id: personId, version, is_deleted: 0 });
      if ((flags & FLAG_WAS_ANCHOR) !== 0 && before.personId !== null) {
        out.rows.person_overrides.push({
          old_person_id: personIdFor(before.key),
          person_id: personId,
          version,
          is_deleted: 0,
        });
      }
    }
  }

  for (const [oldId, finals] of finalIdsOfOld) {
    if (finals.size !== 1 || g.personSlotById.has(oldId)) continue;
    const survivor = [...finals][0] as string;
    out.effects.push(merge(oldId, survivor, ctx));
  }

  for (const [oldId, hadMemberships] of cs.persons) {
    const slot = g.personSlotById.get(oldId);
    if (hadMemberships && (slot === undefined || g.memberships[slot] === undefined)) {
      out.changelog.push({ kind: 'membership', person_id: oldId, accounts: null });
    }
  }
  for (const slot of new Set([...finalSlots, ...cs.membershipSlots])) {
    const id = g.personIds[slot];
    if (id === undefined || id === '' || g.memberships[slot] === undefined) continue;
    if (cs.membershipSlots.has(slot) || cs.trackedSlots.get(slot) !== id) {
      out.changelog.push({ kind: 'membership', person_id: id, accounts: membershipEntries(g, slot) });
    }
  }
}

const merge = (absorbed: string, survivor: string, ctx: ChangeContext): IdentityEffect => ({
  kind: 'merge',
  absorbed_person_id: absorbed,
  survivor_person_id: survivor,
  reason: ctx.reason,
  event_id: ctx.eventId,
  at: ctx.at,
});
