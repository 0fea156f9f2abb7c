// Merge safety (SPEC §2): the rules that refuse a merge or a link. Checked in this order, so a
// refusal always names the same reason for the same pair:
//   1. distinct_known_users — both persons hold a user_id (an anchor of type user_id);
//   2. split_pinned — either person holds an identifier an operator split off;
//   3. identifier_cap / type_cap — the union would exceed the configured caps.
// Only operator force-merge bypasses them.

import type { IdentityConfig } from './identity-config.ts';
import type { RefusalReason } from './identity-effects.ts';
import {
  IDENTIFIER_TYPES,
  USER_ID_CODE,
  typeCodeOfKey,
  type CappedIdentifierType,
} from './identifier-keys.ts';
import { FLAG_PINNED, keyOf, nodesOf, type IdentityGraph } from './identity-graph.ts';

export function isKnownPerson(g: IdentityGraph, slot: number): boolean {
  const anchor = g.personAnchor[slot] as number;
  return anchor >= 0 && typeCodeOfKey(keyOf(g, anchor)) === USER_ID_CODE;
}

function hasPinned(g: IdentityGraph, slot: number): boolean {
  return nodesOf(g, slot).some((n) => ((g.nodeFlags[n] as number) & FLAG_PINNED) !== 0);
}

export function typeCounts(g: IdentityGraph, slot: number): number[] {
  const counts = IDENTIFIER_TYPES.map(() => 0);
  for (const node of nodesOf(g, slot)) {
    const code = typeCodeOfKey(keyOf(g, node));
    counts[code] = (counts[code] as number) + 1;
  }
  return counts;
}

const capOf = (config: IdentityConfig, code: number): number =>
  code === USER_ID_CODE
    ? Number.POSITIVE_INFINITY
    : config.maxIdentifiersPerType[IDENTIFIER_TYPES[code] as CappedIdentifierType];

export function refuseMerge(
  g: IdentityGraph,
  config: IdentityConfig,
  a: number,
  b: number,
): RefusalReason | null {
  if (isKnownPerson(g, a) && isKnownPerson(g, b)) return 'distinct_known_users';
  if (hasPinned(g, a) || hasPinned(g, b)) return 'split_pinned';
  if ((g.personSize[a] as number) + (g.personSize[b] as number) > config.maxIdentifiersPerPerson) {
    return 'identifier_cap';
  }
  const countsA = typeCounts(g, a);
  const countsB = typeCounts(g, b);
  for (let code = 0; code < countsA.length; code++) {
    const added = countsB[code] as number;
    if (added > 0 && (countsA[code] as number) + added > capOf(config, code)) return 'type_cap';
  }
  return null;
}

/** Whether a new identifier of this type may join the person. */
export function refuseLink(
  g: IdentityGraph,
  config: IdentityConfig,
  slot: number,
  typeCode: number,
): RefusalReason | null {
  if (typeCode === USER_ID_CODE && isKnownPerson(g, slot)) return 'distinct_known_users';
  if ((g.personSize[slot] as number) + 1 > config.maxIdentifiersPerPerson) return 'identifier_cap';
  if ((typeCounts(g, slot)[typeCode] as number) + 1 > capOf(config, typeCode)) return 'type_cap';
  return null;
}
