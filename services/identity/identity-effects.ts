// What the identity core returns: effects for later stages (identity-effects topic, metrics),
// rows for ClickHouse, and changelog records for the compacted state topic. All plain data.

import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { IdentifierType } from './identifier-keys.ts';
import type { ChangelogRecord } from './identity-changelog-record.ts';

export type MergeReason = 'identify' | 'alias' | 'shared_identifier' | 'force_merge' | 'split';

export type RefusalReason =
  | 'distinct_known_users' // two persons with different user_ids (SPEC §2)
  | 'split_pinned' // an operator split this identifier off; only force-merge rejoins it
  | 'identifier_cap' // the person would exceed maxIdentifiersPerPerson
  | 'type_cap' // the person would exceed maxIdentifiersPerType for identifier_type
  | 'account_cap'; // the person already belongs to maxAccountsPerPerson accounts

export type IdentityEffect =
  /** absorbed's state and past events now belong to survivor (also emitted when a person's id changes). */
  | {
      kind: 'merge';
      absorbed_person_id: string;
      survivor_person_id: string;
      reason: MergeReason;
      event_id: string;
      at: number;
    }
  /** Two persons were not merged; person_id is where the event went. */
  | {
      kind: 'refused_merge';
      reason: RefusalReason;
      person_id: string;
      other_person_id: string;
      event_id: string;
      at: number;
    }
  /** An identifier (or account, for account_cap) was not attached to person_id. */
  | {
      kind: 'refused_link';
      reason: RefusalReason;
      person_id: string;
      identifier_type: IdentifierType | 'account';
      event_id: string;
      at: number;
    }
  | { kind: 'link'; person_id: string; identifier_type: IdentifierType; event_id: string; at: number }
  | { kind: 'account_membership'; person_id: string; account_id: string; event_id: string; at: number }
  | {
      kind: 'primary_account';
      person_id: string;
      account_id: string;
      previous_account_id: string | null;
      event_id: string;
      at: number;
    }
  /** person_id: the split-off identifier's new person; remainder_person_id: the rest (its id changes
   * only when the split-off identifier was the anchor). Past events stay with remainder. */
  | {
      kind: 'split';
      person_id: string;
      from_person_id: string;
      remainder_person_id: string;
      identifier_type: IdentifierType;
      event_id: string;
      at: number;
    }
  /** GDPR: every id the person was ever known by, so stores and ClickHouse can delete its rows. */
  | {
      kind: 'deletion';
      person_id: string;
      retired_person_ids: string[];
      identifier_count: number;
      event_id: string;
      at: number;
    };

export type IdentityEffectKind = IdentityEffect['kind'];

/** ClickHouse identity_map (ReplacingMergeTree(version), ORDER BY identifier_key). */
export interface IdentityMapRow {
  identifier_key: string;
  person_id: string;
  version: number;
  is_deleted: 0 | 1;
}

/** ClickHouse person_overrides (ReplacingMergeTree(version), ORDER BY old_person_id): an event
 * stored under old_person_id belongs to person_id. Always points at the current survivor. */
export interface PersonOverrideRow {
  old_person_id: string;
  person_id: string;
  version: number;
  is_deleted: 0 | 1;
}

/** ClickHouse accounts (ReplacingMergeTree): the source's own account key behind each account id. */
export interface AccountRow {
  account_id: string;
  account_key: string;
}

export interface IdentityRows {
  identity_map: IdentityMapRow[];
  person_overrides: PersonOverrideRow[];
  accounts: AccountRow[];
}

export interface IdentityOutput {
  effects: IdentityEffect[];
  rows: IdentityRows;
  changelog: ChangelogRecord[];
}

export type ResolveOutcome =
  | { kind: 'resolved'; event: JourneyEvent }
  /** The event carries an identifier deleted (GDPR) after the event happened: do not process it. */
  | { kind: 'suppressed'; reason: 'deleted_identity'; event_id: string };

export interface ResolveResult extends IdentityOutput {
  outcome: ResolveOutcome;
}

export type CommandOutcome =
  | { kind: 'applied' }
  | { kind: 'rejected'; reason: 'unknown_person' | 'same_person' | 'unknown_identifier' | 'already_alone' };

export interface CommandResult extends IdentityOutput {
  outcome: CommandOutcome;
}

export const emptyOutput = (): IdentityOutput => ({
  effects: [],
  rows: { identity_map: [], person_overrides: [], accounts: [] },
  changelog: [],
});
