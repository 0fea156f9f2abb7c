// Email PII (SPEC §2): normalise (trim, lower-case), pseudonymise with a keyed HMAC-SHA-256, and
// scrub emails out of free-form maps and free text so raw addresses never reach ClickHouse.
import { createHmac } from 'node:crypto';
import type { PiiConfig } from './ingest-config.ts';
import { findEmailsInText } from './find-emails-in-text.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Keys whose value is the person's email: removed from traits/properties (the value goes to ids). */
const EMAIL_KEY = /^e[-_]?mail(?:[-_]?address)?$/i;

/** Trimmed, lower-cased email, or undefined when the value is not an email address. */
export function normaliseEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  return EMAIL.test(email) ? email : undefined;
}

/** Hex HMAC-SHA-256 of an already normalised email. */
export function hashEmail(normalisedEmail: string, pii: PiiConfig): string {
  // A command started without the key (config.ts NO_PII_KEY) must never pseudonymise with ''.
  if (pii.emailHmacKey === '')
    throw new Error('PII_HMAC_KEY is not set: this command cannot pseudonymise emails');
  return createHmac('sha256', pii.emailHmacKey).update(normalisedEmail).digest('hex');
}

export function isEmailKey(key: string): boolean {
  return EMAIL_KEY.test(key);
}

/** Every email inside a text replaced by `hmac:<hash>` (same hash as ids.email_hash, so it joins). */
export function scrubEmailsInText(text: string, pii: PiiConfig): string {
  if (!text.includes('@')) return text;
  let out = '';
  let copied = 0;
  for (const [start, end] of findEmailsInText(text)) {
    out += `${text.slice(copied, start)}hmac:${hashEmail(text.slice(start, end).toLowerCase(), pii)}`;
    copied = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * A copy of a free-form map (traits, properties) without email keys and with every email found in
 * a string value hashed. Applies with keepRawPii too: the raw email is kept only in ids.email.
 */
export function scrubEmails(value: unknown, pii: PiiConfig): unknown {
  if (typeof value === 'string') return scrubEmailsInText(value, pii);
  if (Array.isArray(value)) return value.map((v) => scrubEmails(v, pii));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (isEmailKey(key)) continue;
    // JSON.parse makes "__proto__" an own key; assigning it would set out's prototype instead
    // and drop the key (and give out the sender's object as prototype).
    if (key === '__proto__')
      Object.defineProperty(out, key, {
        value: scrubEmails(child, pii),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = scrubEmails(child, pii);
  }
  return out;
}
