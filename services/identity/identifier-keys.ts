// Identifier keys: the graph's node names. A key is a one-letter type prefix, ':' and the value
// ("u:42", "a:6f1c…"), so equal values of different types never collide. The prefix order is
// also the anchor rank (user_id first), which makes person ids a function of the identifier set.

import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import { isJunkIdentifier } from '../shared/junk-identifiers.ts';

export type IdentifierType =
  | 'user_id'
  | 'email_hash'
  | 'crm_id'
  | 'billing_customer_id'
  | 'ticket_requester_id'
  | 'anonymous_id'
  | 'device_id';

export type CappedIdentifierType = Exclude<IdentifierType, 'user_id'>;

/** In rank order: index = type code = anchor rank (lower wins). */
export const IDENTIFIER_TYPES: readonly IdentifierType[] = [
  'user_id',
  'email_hash',
  'crm_id',
  'billing_customer_id',
  'ticket_requester_id',
  'anonymous_id',
  'device_id',
];

const PREFIXES = ['u', 'e', 'c', 'b', 't', 'a', 'd'] as const;
export const USER_ID_CODE = 0;

export function identifierKey(type: IdentifierType, value: string): string {
  return `${PREFIXES[IDENTIFIER_TYPES.indexOf(type)]}:${value}`;
}

/** Type code (rank) of a key; -1 when the key is not an identifier key. */
export function typeCodeOfKey(key: string): number {
  if (key.charCodeAt(1) !== 58 /* ':' */) return -1;
  return PREFIXES.indexOf(key[0] as (typeof PREFIXES)[number]);
}

export function typeOfCode(code: number): IdentifierType {
  const type = IDENTIFIER_TYPES[code];
  if (type === undefined) throw new Error(`unknown identifier type code ${code}`);
  return type;
}

/** Anchor order: lower type rank first, then the key's code units. Total and order-free. */
export function compareKeys(a: string, b: string): number {
  const byType = typeCodeOfKey(a) - typeCodeOfKey(b);
  if (byType !== 0) return byType;
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface EventIdentifiers {
  /** Distinct keys in anchor order (user_id first). */
  keys: string[];
  /** The user_id key when the event carries a usable one. */
  userKey: string | null;
  /** The account the event names (groupId / ticket organization / billing metadata), junk removed. */
  accountKey: string | null;
  /** alias previous_id, resolved later: a known user key if one exists, else an anonymous key. */
  previousId: string | null;
}

const usable = (value: string | null, junk: RegExp | null): value is string =>
  value !== null && !isJunkIdentifier(value, junk ?? undefined);

export function extractIdentifiers(event: JourneyEvent, junk: RegExp | null): EventIdentifiers {
  const ids = event.ids;
  const keys: string[] = [];
  const add = (type: IdentifierType, value: string | null): void => {
    if (!usable(value, junk)) return;
    const key = identifierKey(type, value);
    if (!keys.includes(key)) keys.push(key);
  };
  add('user_id', ids.user_id);
  add('email_hash', ids.email_hash);
  add('crm_id', ids.crm_id);
  add('billing_customer_id', ids.billing_customer_id);
  add('ticket_requester_id', ids.ticket_requester_id);
  add('anonymous_id', ids.anonymous_id);
  add('device_id', ids.device_id);
  keys.sort(compareKeys);
  return {
    keys,
    userKey: usable(ids.user_id, junk) ? identifierKey('user_id', ids.user_id) : null,
    accountKey: usable(ids.account_id, junk) ? ids.account_id : null,
    previousId: usable(ids.previous_id, junk) ? ids.previous_id : null,
  };
}
