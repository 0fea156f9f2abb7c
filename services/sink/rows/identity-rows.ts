// Rows of the identity tables. identity_map, person_overrides (the identity overrides queries join
// to re-attribute past events) and accounts come from the identity core as typed rows already;
// identity_changes (merge, refused merge/link, split, deletion history) is mapped here.
import type { IdentityEffect, PersonOverrideRow } from '../../identity/identity-effects.ts';
import { isoTime } from './row-time.ts';

export type { AccountRow, IdentityMapRow } from '../../identity/identity-effects.ts';

/** person_overrides: events stored under old_person_id belong to person_id (the survivor). */
export type IdentityOverrideRow = PersonOverrideRow;

/** identity_changes; the identity_merges view shows its kind = 'merge' rows. */
export interface IdentityMergeRow {
  kind: 'merge' | 'refused_merge' | 'refused_link' | 'split' | 'deletion';
  reason: string;
  /** merge: the survivor; split: the split-off person; otherwise the person concerned. */
  person_id: string;
  /** merge: the absorbed person; refused_merge: the other person; split: the remainder. */
  other_person_id: string;
  event_id: string;
  at: string;
}

/** The history row of an identity effect, or null for effects that are not history (links). */
export function identityChangeRow(effect: IdentityEffect): IdentityMergeRow | null {
  const base = { event_id: effect.event_id, at: isoTime(effect.at) };
  switch (effect.kind) {
    case 'merge':
      return {
        kind: 'merge',
        reason: effect.reason,
        person_id: effect.survivor_person_id,
        other_person_id: effect.absorbed_person_id,
        ...base,
      };
    case 'refused_merge':
      return {
        kind: 'refused_merge',
        reason: effect.reason,
        person_id: effect.person_id,
        other_person_id: effect.other_person_id,
        ...base,
      };
    case 'refused_link':
      return {
        kind: 'refused_link',
        reason: effect.reason,
        person_id: effect.person_id,
        other_person_id: '',
        ...base,
      };
    case 'split':
      return {
        kind: 'split',
        reason: effect.identifier_type,
        person_id: effect.person_id,
        other_person_id: effect.remainder_person_id,
        ...base,
      };
    case 'deletion':
      return { kind: 'deletion', reason: 'gdpr', person_id: effect.person_id, other_person_id: '', ...base };
    default:
      return null;
  }
}
