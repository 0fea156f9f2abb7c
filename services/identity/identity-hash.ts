// Deterministic ids. A person id is derived from its anchor identifier key, an account id from
// the account key, a tombstone from the identifier key — all SHA-256, so the same identifiers
// give the same ids on every replay and machine. Hashing is pure; it is not I/O.

import { createHash } from 'node:crypto';

/** `prefix` + the first `bytes` of SHA-256(text) in hex, as one flat string: long-lived ids must
 * not be V8 cons/sliced strings that pin the full digest (that costs ~80 bytes per person). */
function hashId(prefix: string, text: string, bytes: number): string {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  const out = Buffer.allocUnsafe(prefix.length + bytes * 2);
  out.write(prefix, 'latin1');
  out.write(digest.toString('hex', 0, bytes), prefix.length, 'latin1');
  return out.toString('latin1');
}

/** 96 bits: a birthday collision needs ~2^48 persons. */
export const personIdFor = (anchorKey: string): string => hashId('p_', `person\u0000${anchorKey}`, 12);

export const accountIdFor = (accountKey: string): string => hashId('acc_', `account\u0000${accountKey}`, 12);

/** What a GDPR tombstone keeps instead of the identifier itself. */
export const tombstoneHashFor = (key: string): string => hashId('', `tombstone\u0000${key}`, 16);

/** 32-bit FNV-1a: a cheap pre-filter so events skip SHA-256 unless a tombstone may match. */
export function fnv32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
