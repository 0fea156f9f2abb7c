// What a GDPR deletion must erase outside the identity graph: every person id the person's data
// was stored under (its own, and the ids of persons merged into it earlier — the deletion's
// retired ids) and every identifier key it had ("u:42", "e:<hash>", "a:<anonymous id>", ...).
// Built from the deletion's own output, the only place the keys still exist once the graph has
// forgotten the person. The values are what ClickHouse rows and DLQ keys hold (key minus prefix).
import type { CommandResult } from './identity-effects.ts';
import { typeCodeOfKey, typeOfCode } from './identifier-keys.ts';
import type { IdentifierType } from './identifier-keys.ts';

export interface PersonErasure {
  /** The delete command's id: kept in the audit row, never the person. */
  command_id: string;
  person_ids: string[];
  identifier_keys: string[];
}

/** The erasure a deletion asks for, or null when the command deleted nobody. */
export function personErasureOf(result: CommandResult): PersonErasure | null {
  const deletion = result.effects.find((e) => e.kind === 'deletion');
  if (deletion === undefined || deletion.kind !== 'deletion') return null;
  const keys = result.rows.identity_map.filter((r) => r.is_deleted === 1).map((r) => r.identifier_key);
  return {
    command_id: deletion.event_id,
    person_ids: [...new Set([deletion.person_id, ...deletion.retired_person_ids])].sort(),
    identifier_keys: [...new Set(keys)].sort(),
  };
}

/** Identifier values of one type ("u:42" -> "42" for user_id). */
export function identifierValues(erasure: PersonErasure, type: IdentifierType): string[] {
  return erasure.identifier_keys.filter((k) => typeOfCodeOrNull(k) === type).map((k) => k.slice(2));
}

/** Every value that names the person: its person ids and all identifier values. */
export function personValues(erasure: PersonErasure): string[] {
  return [...new Set([...erasure.person_ids, ...erasure.identifier_keys.map((k) => k.slice(2))])].sort();
}

function typeOfCodeOrNull(key: string): IdentifierType | null {
  const code = typeCodeOfKey(key);
  return code < 0 ? null : typeOfCode(code);
}

/** Whether any field of a row is one of the erased persons' ids or identifier keys. */
export function namesErasedPerson(row: object, erasures: readonly PersonErasure[]): boolean {
  const fields = Object.values(row);
  return erasures.some((e) =>
    fields.some((v) => typeof v === 'string' && (e.person_ids.includes(v) || e.identifier_keys.includes(v))),
  );
}
