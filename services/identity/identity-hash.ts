// Deterministic ids. A person id is derived from its anchor identifier key, an account id from
// the account key, a tombstone from the identifier key — all SHA-256, so the same identifiers
// give the same ids on every replay and machine. Hashing is pure; it is not I/O.

import { createHash } from 'node:crypto';

const digest = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** 96 bits: a birthday collision needs ~2^48 persons. */
export const personIdFor = (anchorKey: string): string => `p_${digest(`person\u0000${anchorKey}`).slice(0, 24)}`;

export const accountIdFor = (accountKey: string): string =>
  `acc_${digest(`account\u0000${accountKey}`).slice(0, 24)}`;

/** What a GDPR tombstone keeps instead of the identifier itself. */
export const tombstoneHashFor = (key: string): string => digest(`tombstone\u0000${key}`).slice(0, 32);

/** 32-bit FNV-1a: a cheap pre-filter so events skip SHA-256 unless a tombstone may match. */
export function fnv32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
