// resolve(state, event, now): the identity stage's pure core. Finds or creates the event's person,
// merges the persons its identifiers connect (unless a safety rule refuses), attaches new
// identifiers and the named account, and sets event.person_id / event.account_id.
//
// Target person: the person of the event's user_id (created if new); otherwise, among the persons
// the event's identifiers already belong to, the first holding a user_id, else the first — both
// in identifier rank order (user_id > email_hash > crm_id > billing_customer_id >
// ticket_requester_id > anonymous_id > device_id); otherwise a new person. Every other person the
// event touches is merged into the target in that rank order unless refused; new identifiers then
// join the target unless a cap refuses them. The result's id is always personIdFor(anchor).

import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import {
  accountIdOf,
  ensureAccount,
  mergeMemberships,
  noteMembership,
  primaryAccount,
} from './account-membership.ts';
import {
  compareKeys,
  extractIdentifiers,
  identifierKey,
  typeCodeOfKey,
  typeOfCode,
  type IdentifierType,
} from './identifier-keys.ts';
import { beginChange, finishChange, trackNewNode, trackPerson } from './identity-change.ts';
import type { IdentityConfig } from './identity-config.ts';
import {
  emptyOutput,
  type IdentityOutput,
  type MergeReason,
  type RefusalReason,
  type ResolveResult,
} from './identity-effects.ts';
import { absorbPerson, addNode, allocatePerson, type IdentityGraph } from './identity-graph.ts';
import { isSuppressed } from './deletion-tombstones.ts';
import { accountIdFor } from './identity-hash.ts';
import { isKnownPerson, refuseLink, refuseMerge } from './merge-safety.ts';

const mergeReasonOf = (event: JourneyEvent): MergeReason =>
  event.type === 'identify' ? 'identify' : event.type === 'alias' ? 'alias' : 'shared_identifier';

/** Group calls and billing events state membership explicitly; other mentions are implicit. */
const isExplicitMembership = (event: JourneyEvent): boolean =>
  event.type === 'group' || event.source === 'billing';

type Pending =
  | { kind: 'merge'; reason: RefusalReason; otherSlot: number; otherId: string }
  | { kind: 'link'; reason: RefusalReason; type: IdentifierType | 'account' };

export function resolve(
  g: IdentityGraph,
  event: JourneyEvent,
  now: number,
  config: IdentityConfig,
): ResolveResult {
  const out = emptyOutput();
  const found = extractIdentifiers(event, config.junkPattern);
  let keys = found.keys;
  // previous_id (alias) is the anonymous id a:<previous_id>. When it names a known user instead
  // (u:<previous_id> exists and no such anonymous id does), it is never linked: aliasing two user
  // ids is the forbidden merge, recorded as refused below. Both checks only ever become true, so
  // re-resolving the same alias picks the same keys.
  let previousUserSlot = -1;
  if (found.previousId !== null) {
    const asAnonymous = identifierKey('anonymous_id', found.previousId);
    const userNode = g.nodeIndex.get(identifierKey('user_id', found.previousId));
    if (userNode === undefined || g.nodeIndex.has(asAnonymous)) {
      if (!keys.includes(asAnonymous)) keys = [...keys, asAnonymous].sort(compareKeys);
    } else previousUserSlot = g.nodePerson[userNode] as number;
  }
  if (isSuppressed(g, keys, event.event_time)) {
    return { ...out, outcome: { kind: 'suppressed', reason: 'deleted_identity', event_id: event.event_id } };
  }

  const existing: number[] = [];
  const fresh: string[] = [];
  for (const key of keys) {
    const node = g.nodeIndex.get(key);
    if (node === undefined) fresh.push(key);
    else if (!existing.includes(g.nodePerson[node] as number)) existing.push(g.nodePerson[node] as number);
  }

  const cs = beginChange();
  const pending: Pending[] = [];
  let target = -1;
  if (found.userKey !== null && !g.nodeIndex.has(found.userKey)) {
    target = allocatePerson(g);
    trackNewNode(g, cs, addNode(g, found.userKey, target));
    fresh.splice(fresh.indexOf(found.userKey), 1);
  } else if (found.userKey !== null) {
    target = g.nodePerson[g.nodeIndex.get(found.userKey) as number] as number;
  } else if (existing.length > 0) {
    target = existing.find((slot) => isKnownPerson(g, slot)) ?? (existing[0] as number);
  } else if (fresh.length > 0) {
    target = allocatePerson(g);
    trackNewNode(g, cs, addNode(g, fresh.shift() as string, target));
  }
  if (target < 0) {
    const accountId = found.accountKey === null ? null : accountIdFor(found.accountKey);
    if (found.accountKey !== null && accountId !== null)
      out.rows.accounts.push({ account_id: accountId, account_key: found.accountKey });
    return { ...out, outcome: resolved(event, null, accountId) };
  }
  const primaryBefore = cs.nodes.size > 0 ? -1 : primaryAccount(g, target);

  for (const other of existing) {
    if (other === target) continue;
    const refusal = refuseMerge(g, config, target, other);
    if (refusal !== null) {
      pending.push({
        kind: 'merge',
        reason: refusal,
        otherSlot: other,
        otherId: g.personIds[other] as string,
      });
      continue;
    }
    trackPerson(g, cs, target);
    trackPerson(g, cs, other);
    if (mergeMemberships(g, other, target).length > 0 || g.memberships[other] !== undefined)
      cs.membershipSlots.add(target);
    absorbPerson(g, other, target);
  }

  if (previousUserSlot >= 0 && previousUserSlot !== target && isKnownPerson(g, target)) {
    pending.push({
      kind: 'merge',
      reason: 'distinct_known_users',
      otherSlot: previousUserSlot,
      otherId: g.personIds[previousUserSlot] as string,
    });
  }

  for (const key of fresh) {
    const typeCode = typeCodeOfKey(key);
    const refusal = refuseLink(g, config, target, typeCode);
    if (refusal !== null) {
      pending.push({ kind: 'link', reason: refusal, type: typeOfCode(typeCode) });
      continue;
    }
    trackPerson(g, cs, target);
    trackNewNode(g, cs, addNode(g, key, target));
  }

  let namedAccount = -1;
  let joinedAccount = false;
  if (found.accountKey !== null) {
    namedAccount = accountSlot(g, found.accountKey, out);
    const change = noteMembership(
      g,
      target,
      namedAccount,
      event.event_time,
      isExplicitMembership(event),
      config.maxAccountsPerPerson,
    );
    if (change === 'refused') pending.push({ kind: 'link', reason: 'account_cap', type: 'account' });
    if (change === 'added' || change === 'updated') {
      trackPerson(g, cs, target);
      cs.membershipSlots.add(target);
    }
    joinedAccount = change === 'added';
  }

  const at = now;
  finishChange(g, cs, { eventId: event.event_id, at, reason: mergeReasonOf(event) }, out);
  const personId = g.personIds[target] as string;
  for (const node of cs.nodes.keys()) {
    const before = cs.nodes.get(node);
    if (before?.personId === null) {
      out.effects.push({
        kind: 'link',
        person_id: personId,
        identifier_type: typeOfCode(typeCodeOfKey(before.key)),
        event_id: event.event_id,
        at,
      });
    }
  }
  for (const refusal of pending) {
    out.effects.push(
      refusal.kind === 'merge'
        ? {
            kind: 'refused_merge',
            reason: refusal.reason,
            person_id: personId,
            other_person_id: g.personIds[refusal.otherSlot] || refusal.otherId,
            event_id: event.event_id,
            at,
          }
        : {
            kind: 'refused_link',
            reason: refusal.reason,
            person_id: personId,
            identifier_type: refusal.type,
            event_id: event.event_id,
            at,
          },
    );
  }
  if (joinedAccount) {
    out.effects.push({
      kind: 'account_membership',
      person_id: personId,
      account_id: accountIdOf(g, namedAccount),
      event_id: event.event_id,
      at,
    });
  }
  const primaryAfter = primaryAccount(g, target);
  if (primaryAfter !== primaryBefore && primaryAfter >= 0) {
    out.effects.push({
      kind: 'primary_account',
      person_id: personId,
      account_id: accountIdOf(g, primaryAfter),
      previous_account_id: primaryBefore >= 0 ? accountIdOf(g, primaryBefore) : null,
      event_id: event.event_id,
      at,
    });
  }
  const accountId =
    namedAccount >= 0
      ? accountIdOf(g, namedAccount)
      : primaryAfter >= 0
        ? accountIdOf(g, primaryAfter)
        : null;
  return { ...out, outcome: resolved(event, personId, accountId) };
}

const resolved = (event: JourneyEvent, personId: string | null, accountId: string | null) =>
  ({ kind: 'resolved', event: { ...event, person_id: personId, account_id: accountId } }) as const;

function accountSlot(g: IdentityGraph, accountKey: string, out: IdentityOutput): number {
  const { slot, created } = ensureAccount(g, accountKey);
  if (created) out.rows.accounts.push({ account_id: accountIdOf(g, slot), account_key: accountKey });
  return slot;
}
