// Person -> account memberships and the PRIMARY account rule.
//
// A membership remembers, per (person, account), the latest event time of an explicit signal
// (a group call, or a billing event naming the account) and the latest event time of any event
// naming the account. The primary account is the membership with
//   1. the latest explicit signal (memberships never explicitly signalled rank below all others),
//   2. then the latest event naming it at all,
//   3. then the smallest account_id (code-unit order).
// Only maxima of event times are used, so the primary account does not depend on arrival order.
// Times are kept at hour granularity: a person active in an account all day rewrites its
// membership changelog record once an hour, not on every event.

import type { IdentityGraph } from './identity-graph.ts';
import { accountIdFor } from './identity-hash.ts';

const STRIDE = 3; // [accountSlot, explicitAt, lastSeenAt]
export const NEVER = -1;
export const MEMBERSHIP_TIME_GRANULARITY_MS = 3_600_000;

export interface MembershipEntry {
  account_key: string;
  explicit_at: number;
  last_seen_at: number;
}

export function ensureAccount(g: IdentityGraph, accountKey: string): { slot: number; created: boolean } {
  const existing = g.accountIndex.get(accountKey);
  if (existing !== undefined) return { slot: existing, created: false };
  const slot = g.accountKeys.length;
  g.accountIndex.set(accountKey, slot);
  g.accountKeys.push(accountKey);
  g.accountIds.push(accountIdFor(accountKey));
  return { slot, created: true };
}

export const accountIdOf = (g: IdentityGraph, slot: number): string => g.accountIds[slot] as string;

export type MembershipChange = 'added' | 'updated' | 'unchanged' | 'refused';

export function noteMembership(
  g: IdentityGraph,
  person: number,
  account: number,
  eventTime: number,
  explicit: boolean,
  maxAccounts: number,
): MembershipChange {
  eventTime = eventTime - (eventTime % MEMBERSHIP_TIME_GRANULARITY_MS);
  const list = g.memberships[person] ?? [];
  for (let i = 0; i < list.length; i += STRIDE) {
    if (list[i] !== account) continue;
    const explicitAt = explicit ? Math.max(list[i + 1] as number, eventTime) : (list[i + 1] as number);
    const lastSeenAt = Math.max(list[i + 2] as number, eventTime);
    if (explicitAt === list[i + 1] && lastSeenAt === list[i + 2]) return 'unchanged';
    list[i + 1] = explicitAt;
    list[i + 2] = lastSeenAt;
    return 'updated';
  }
  if (list.length / STRIDE >= maxAccounts) return 'refused';
  list.push(account, explicit ? eventTime : NEVER, eventTime);
  g.memberships[person] = list;
  return 'added';
}

/** Moves `from`'s memberships into `into`, keeping the later times. Not capped: merging persons
 * is never refused for accounts. Returns the account slots that are new to `into`. */
export function mergeMemberships(g: IdentityGraph, from: number, into: number): number[] {
  const source = g.memberships[from];
  if (source === undefined) return [];
  const added: number[] = [];
  for (let i = 0; i < source.length; i += STRIDE) {
    const account = source[i] as number;
    const target = g.memberships[into] ?? [];
    let found = false;
    for (let j = 0; j < target.length; j += STRIDE) {
      if (target[j] !== account) continue;
      target[j + 1] = Math.max(target[j + 1] as number, source[i + 1] as number);
      target[j + 2] = Math.max(target[j + 2] as number, source[i + 2] as number);
      found = true;
    }
    if (!found) {
      target.push(account, source[i + 1] as number, source[i + 2] as number);
      added.push(account);
    }
    g.memberships[into] = target;
  }
  return added;
}

/** The primary account slot of a person, or -1 when it belongs to none. */
export function primaryAccount(g: IdentityGraph, person: number): number {
  const list = g.memberships[person];
  if (list === undefined) return -1;
  let best = -1;
  for (let i = 0; i < list.length; i += STRIDE) {
    if (best < 0 || outranks(g, list, i, best)) best = i;
  }
  return best < 0 ? -1 : (list[best] as number);
}

function outranks(g: IdentityGraph, list: number[], i: number, j: number): boolean {
  if (list[i + 1] !== list[j + 1]) return (list[i + 1] as number) > (list[j + 1] as number);
  if (list[i + 2] !== list[j + 2]) return (list[i + 2] as number) > (list[j + 2] as number);
  return accountIdOf(g, list[i] as number) < accountIdOf(g, list[j] as number);
}

export function membershipEntries(g: IdentityGraph, person: number): MembershipEntry[] {
  const list = g.memberships[person] ?? [];
  const entries: MembershipEntry[] = [];
  for (let i = 0; i < list.length; i += STRIDE) {
    entries.push({
      account_key: g.accountKeys[list[i] as number] as string,
      explicit_at: list[i + 1] as number,
      last_seen_at: list[i + 2] as number,
    });
  }
  return entries.sort((a, b) => (a.account_key < b.account_key ? -1 : a.account_key > b.account_key ? 1 : 0));
}

export function setMemberships(g: IdentityGraph, person: number, entries: readonly MembershipEntry[]): void {
  if (entries.length === 0) {
    g.memberships[person] = undefined;
    return;
  }
  const list: number[] = [];
  for (const entry of entries) {
    list.push(ensureAccount(g, entry.account_key).slot, entry.explicit_at, entry.last_seen_at);
  }
  g.memberships[person] = list;
}
