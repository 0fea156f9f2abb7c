// The identity graph's compact store: interned identifier nodes and person slots in typed arrays.
// Every node belongs to exactly one person; a person's nodes form a singly linked list
// (personHead -> nodeNext -> … -> -1). Merges relabel the smaller list (small-to-large), so n links
// cost O(n log n). Splits and deletions unlink single nodes. No union-find: it cannot split.
//
// This is mutable on purpose: a persistent structure would not fit the SPEC's 400 bytes per
// identifier. The functions over it stay deterministic and free of I/O; callers own the instance.

import { compareKeys } from './identifier-keys.ts';

export const FLAG_PINNED = 1; // split off by an operator: never merged automatically again
export const FLAG_WAS_ANCHOR = 2; // its person id has been handed out, so it may need an override row

export interface IdentityGraph {
  readonly nodeIndex: Map<string, number>;
  nodeKeys: string[];
  nodePerson: Int32Array;
  nodeNext: Int32Array;
  nodeFlags: Uint8Array;
  readonly freeNodes: number[];
  nodeHighWater: number;

  personHead: Int32Array;
  personSize: Int32Array;
  personAnchor: Int32Array;
  personIds: string[];
  readonly personSlotById: Map<string, number>;
  /** Per person slot, flattened [accountSlot, explicitAt, lastSeenAt, …] or undefined. */
  memberships: (number[] | undefined)[];
  readonly freePersons: number[];
  personHighWater: number;

  readonly accountIndex: Map<string, number>;
  readonly accountKeys: string[];
  readonly accountIds: string[];

  /** tombstone hash -> deletion time (ms) and fnv32 of the deleted key (held in tombstoneFilter). */
  readonly tombstones: Map<string, { deleted_at: number; filter: number }>;
  readonly tombstoneFilter: Set<number>;
  /** input partition -> last input offset the graph includes (from checkpoint records). */
  readonly checkpoints: Map<number, string>;
  /** Last row version handed out; versions only grow. */
  clock: number;
}

export function createIdentityGraph(capacity = 1024): IdentityGraph {
  return {
    nodeIndex: new Map(),
    nodeKeys: [],
    nodePerson: new Int32Array(capacity),
    nodeNext: new Int32Array(capacity),
    nodeFlags: new Uint8Array(capacity),
    freeNodes: [],
    nodeHighWater: 0,
    personHead: new Int32Array(capacity),
    personSize: new Int32Array(capacity),
    personAnchor: new Int32Array(capacity),
    personIds: [],
    personSlotById: new Map(),
    memberships: [],
    freePersons: [],
    personHighWater: 0,
    accountIndex: new Map(),
    accountKeys: [],
    accountIds: [],
    tombstones: new Map(),
    tombstoneFilter: new Set(),
    checkpoints: new Map(),
    clock: 0,
  };
}

function grown<T extends Int32Array | Uint8Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(needed, array.length * 2));
  next.set(array);
  return next;
}

/** A new, empty person slot. Its id is set by setPersonId once it has an anchor. */
export function allocatePerson(g: IdentityGraph): number {
  const slot = g.freePersons.pop() ?? g.personHighWater++;
  g.personHead = grown(g.personHead, slot + 1);
  g.personSize = grown(g.personSize, slot + 1);
  g.personAnchor = grown(g.personAnchor, slot + 1);
  g.personHead[slot] = -1;
  g.personSize[slot] = 0;
  g.personAnchor[slot] = -1;
  g.personIds[slot] = '';
  g.memberships[slot] = undefined;
  return slot;
}

export function releasePerson(g: IdentityGraph, slot: number): void {
  const id = g.personIds[slot];
  if (id !== undefined && id !== '' && g.personSlotById.get(id) === slot) g.personSlotById.delete(id);
  g.personIds[slot] = '';
  g.memberships[slot] = undefined;
  g.personHead[slot] = -1;
  g.personSize[slot] = 0;
  g.personAnchor[slot] = -1;
  g.freePersons.push(slot);
}

export function setPersonId(g: IdentityGraph, slot: number, id: string): void {
  const old = g.personIds[slot];
  if (old === id) return;
  if (old !== undefined && old !== '' && g.personSlotById.get(old) === slot) g.personSlotById.delete(old);
  g.personIds[slot] = id;
  g.personSlotById.set(id, slot);
}

export function personIdOf(g: IdentityGraph, slot: number): string {
  const id = g.personIds[slot];
  if (id === undefined || id === '') throw new Error(`person slot ${slot} has no id`);
  return id;
}

export function keyOf(g: IdentityGraph, node: number): string {
  const key = g.nodeKeys[node];
  if (key === undefined || key === '') throw new Error(`node ${node} is free`);
  return key;
}

/** Interns a key as a node of the given person. The key must not be a node yet. */
export function addNode(g: IdentityGraph, key: string, person: number, flags = 0): number {
  const node = g.freeNodes.pop() ?? g.nodeHighWater++;
  g.nodePerson = grown(g.nodePerson, node + 1);
  g.nodeNext = grown(g.nodeNext, node + 1);
  g.nodeFlags = grown(g.nodeFlags, node + 1);
  g.nodeIndex.set(key, node);
  g.nodeKeys[node] = key;
  g.nodeFlags[node] = flags;
  g.nodePerson[node] = person;
  g.nodeNext[node] = g.personHead[person] as number;
  g.personHead[person] = node;
  g.personSize[person] = (g.personSize[person] as number) + 1;
  const anchor = g.personAnchor[person] as number;
  if (anchor < 0 || compareKeys(key, keyOf(g, anchor)) < 0) g.personAnchor[person] = node;
  return node;
}

export function nodesOf(g: IdentityGraph, person: number): number[] {
  const nodes: number[] = [];
  for (let n = g.personHead[person] as number; n >= 0; n = g.nodeNext[n] as number) nodes.push(n);
  return nodes;
}

/** Moves every node of `from` into `into` and frees `from`; memberships are the caller's job. */
export function absorbPerson(g: IdentityGraph, from: number, into: number): void {
  let last = -1;
  for (let n = g.personHead[from] as number; n >= 0; n = g.nodeNext[n] as number) {
    g.nodePerson[n] = into;
    last = n;
  }
  if (last >= 0) {
    g.nodeNext[last] = g.personHead[into] as number;
    g.personHead[into] = g.personHead[from] as number;
  }
  g.personSize[into] = (g.personSize[into] as number) + (g.personSize[from] as number);
  const a = g.personAnchor[from] as number;
  const b = g.personAnchor[into] as number;
  if (b < 0 || (a >= 0 && compareKeys(keyOf(g, a), keyOf(g, b)) < 0)) g.personAnchor[into] = a;
  releasePerson(g, from);
}

/** Unlinks a node from its person (recomputing the anchor); frees the person when it empties,
 * unless release is false (changelog restore, where the person may refill). */
export function detachNode(g: IdentityGraph, node: number, release = true): void {
  const person = g.nodePerson[node] as number;
  if ((g.personHead[person] as number) === node) g.personHead[person] = g.nodeNext[node] as number;
  else {
    let n = g.personHead[person] as number;
    while ((g.nodeNext[n] as number) !== node) n = g.nodeNext[n] as number;
    g.nodeNext[n] = g.nodeNext[node] as number;
  }
  g.nodeNext[node] = -1;
  g.nodePerson[node] = -1;
  g.personSize[person] = (g.personSize[person] as number) - 1;
  if ((g.personSize[person] as number) === 0) {
    if (release) releasePerson(g, person);
    else g.personAnchor[person] = -1;
    return;
  }
  if ((g.personAnchor[person] as number) === node) g.personAnchor[person] = minKeyNode(g, person);
}

/** Attaches a detached node to a person. */
export function attachNode(g: IdentityGraph, node: number, person: number): void {
  g.nodePerson[node] = person;
  g.nodeNext[node] = g.personHead[person] as number;
  g.personHead[person] = node;
  g.personSize[person] = (g.personSize[person] as number) + 1;
  const anchor = g.personAnchor[person] as number;
  if (anchor < 0 || compareKeys(keyOf(g, node), keyOf(g, anchor)) < 0) g.personAnchor[person] = node;
}

/** Removes a detached node from the index and frees its slot. */
export function forgetNode(g: IdentityGraph, node: number): void {
  g.nodeIndex.delete(keyOf(g, node));
  g.nodeKeys[node] = '';
  g.nodeFlags[node] = 0;
  g.freeNodes.push(node);
}

function minKeyNode(g: IdentityGraph, person: number): number {
  let best = -1;
  for (let n = g.personHead[person] as number; n >= 0; n = g.nodeNext[n] as number) {
    if (best < 0 || compareKeys(keyOf(g, n), keyOf(g, best)) < 0) best = n;
  }
  return best;
}

/** Hands out the next row version: strictly increasing, and at least the wall clock. */
export function nextVersion(g: IdentityGraph, now: number): number {
  g.clock = Math.max(g.clock + 1, now);
  return g.clock;
}
