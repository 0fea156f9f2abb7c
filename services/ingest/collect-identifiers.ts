// Turns the raw identifier values found on an input into the canonical Identifiers record:
// over-long values dead-letter the message, junk values (shared blocklist + configured pattern)
// are removed and reported, the email is normalised and pseudonymised.
import { noIdentifiers } from './new-journey-event.ts';
import type { Identifiers } from '../shared/generated/avro-types.ts';
import { isJunkIdentifier } from '../shared/junk-identifiers.ts';
import type { IdentifierField, IngestConfig } from './ingest-config.ts';
import { PayloadError } from './payload-error.ts';
import { hashEmail, normaliseEmail } from './pseudonymise-email.ts';

/** Raw identifier values as read from the input; `email` is the raw address. */
export type RawIdentifiers = Partial<Record<Exclude<IdentifierField, 'email_hash'>, string | undefined>>;

export interface CollectedIdentifiers {
  ids: Identifiers;
  junk: IdentifierField[];
}

const PLAIN_FIELDS = [
  'anonymous_id',
  'user_id',
  'device_id',
  'account_id',
  'billing_customer_id',
  'crm_id',
  'ticket_requester_id',
  'previous_id',
] as const;

export const emptyIdentifiers = noIdentifiers;

/** With the u flag, \p{Cs} matches only unpaired surrogates (a pair is one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

export function collectIdentifiers(raw: RawIdentifiers, config: IngestConfig): CollectedIdentifiers {
  const ids = emptyIdentifiers();
  const junk: IdentifierField[] = [];
  const max = config.limits.maxIdentifierLength;
  for (const field of [...PLAIN_FIELDS, 'email' as const]) {
    const value = raw[field];
    if (value === undefined) continue;
    if (value.length > max) {
      throw new PayloadError('identifier_too_long', `${field}: ${value.length} characters, limit ${max}`);
    }
    // A lone UTF-16 surrogate (JSON "\ud800") becomes U+FFFD in UTF-8 (Avro, ClickHouse), so
    // "u\ud800" and "u\udbff" would turn into one identifier downstream and merge two people.
    if (LONE_SURROGATE.test(value)) {
      throw new PayloadError('invalid_field', `${field}: a lone UTF-16 surrogate`);
    }
    if (isJunkIdentifier(value, config.junkIdentifierPattern)) {
      junk.push(field);
      continue;
    }
    if (field !== 'email') {
      ids[field] = value;
      continue;
    }
    const email = normaliseEmail(value);
    if (email === undefined) {
      junk.push('email');
      continue;
    }
    ids.email_hash = hashEmail(email, config.pii);
    ids.email = config.pii.keepRawPii ? email : null;
  }
  return { ids, junk };
}

export function hasAnyIdentifier(ids: Identifiers): boolean {
  return Object.values(ids).some((v) => v !== null);
}
