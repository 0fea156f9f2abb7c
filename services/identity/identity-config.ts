// Identity graph limits (SPEC §2 merge safety). Passed to every core function; no module-level
// singleton. The shell builds it from env once at startup and validates it with
// validateIdentityConfig before consuming anything.

import type { CappedIdentifierType } from './identifier-keys.ts';

export interface IdentityConfig {
  /** Most identifiers one person may hold; a link or merge that would exceed it is refused. */
  readonly maxIdentifiersPerPerson: number;
  /** Most identifiers of one type per person (user_id is governed by the known-user rule instead). */
  readonly maxIdentifiersPerType: Readonly<Record<CappedIdentifierType, number>>;
  /** Most accounts one person may belong to; further memberships are refused. */
  readonly maxAccountsPerPerson: number;
  /** Extra junk-identifier pattern on top of the built-in list (services/shared/junk-identifiers.ts). */
  readonly junkPattern: RegExp | null;
}

export const DEFAULT_IDENTITY_CONFIG: IdentityConfig = {
  maxIdentifiersPerPerson: 200,
  maxIdentifiersPerType: {
    anonymous_id: 100,
    device_id: 50,
    email_hash: 10,
    billing_customer_id: 10,
    crm_id: 5,
    ticket_requester_id: 10,
  },
  maxAccountsPerPerson: 50,
  junkPattern: null,
};

/** Every problem at once, named by field, so the shell can print them all before connecting. */
export function validateIdentityConfig(config: IdentityConfig): string[] {
  const problems: string[] = [];
  const positiveInt = (name: string, value: number): void => {
    if (!Number.isInteger(value) || value < 1)
      problems.push(`${name} must be a positive integer, got ${value}`);
  };
  positiveInt('maxIdentifiersPerPerson', config.maxIdentifiersPerPerson);
  positiveInt('maxAccountsPerPerson', config.maxAccountsPerPerson);
  for (const [type, cap] of Object.entries(config.maxIdentifiersPerType)) {
    positiveInt(`maxIdentifiersPerType.${type}`, cap);
  }
  return problems;
}
