// Step: an operator identity command (force-merge, split, delete) from the identity-commands
// topic, applied by the journey stage — the identity graph's single writer — so commands and
// events never race. Merges fold journey state like any other merge; a deletion removes the
// person's journey state, forgets the person in the accounts that name it, and returns the
// erasure the shell applies to ClickHouse (services/sink/erase-person.ts).
import { deletePerson, forceMerge, splitIdentifier } from '../identity/identity-core.ts';
import type { CommandResult, IdentityGraph } from '../identity/identity-core.ts';
import { personErasureOf } from '../identity/person-erasure.ts';
import type { PersonErasure } from '../identity/person-erasure.ts';
import { IDENTIFIER_TYPES } from '../identity/identifier-keys.ts';
import type { IdentifierType } from '../identity/identifier-keys.ts';
import type { StepResult } from '../shared/results.ts';
import { dlq, ok } from '../shared/results.ts';
import { deleteState } from './account-store.ts';
import type { AccountStore } from './account-store.ts';
import { foldMerge } from './fold-merge.ts';
import { forgetPersonInAccounts } from './forget-person-in-accounts.ts';
import type { JourneyMap } from './journey-map.ts';
import { putState } from './account-store.ts';

export type IdentityCommand =
  | { command: 'force-merge'; command_id: string; person_id: string; other_person_id: string }
  | { command: 'split'; command_id: string; identifier_type: IdentifierType; value: string }
  | { command: 'delete'; command_id: string; person_id: string };

export function parseIdentityCommand(value: Buffer | null): StepResult<IdentityCommand> {
  if (value === null || value.length === 0) return dlq('empty_message', 'identity command has no body');
  let body: unknown;
  try {
    body = JSON.parse(value.toString('utf8'));
  } catch {
    return dlq('invalid_json', 'identity command is not JSON');
  }
  // JSON null, a number, a string or an array is JSON but not a command.
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return dlq(
      'invalid_field',
      `identity command must be a JSON object, got ${Array.isArray(body) ? 'array' : body === null ? 'null' : typeof body}`,
    );
  const parsed = body as Record<string, unknown>;
  const str = (k: string): string | null =>
    typeof parsed[k] === 'string' && (parsed[k] as string).length > 0 ? (parsed[k] as string) : null;
  const id = str('command_id');
  if (!id) return dlq('missing_required_field', 'command_id');
  if (parsed.command === 'force-merge' && str('person_id') && str('other_person_id')) {
    return ok({
      command: 'force-merge',
      command_id: id,
      person_id: str('person_id')!,
      other_person_id: str('other_person_id')!,
    });
  }
  if (
    parsed.command === 'split' &&
    str('value') &&
    IDENTIFIER_TYPES.includes(parsed.identifier_type as IdentifierType)
  ) {
    return ok({
      command: 'split',
      command_id: id,
      identifier_type: parsed.identifier_type as IdentifierType,
      value: str('value')!,
    });
  }
  if (parsed.command === 'delete' && str('person_id'))
    return ok({ command: 'delete', command_id: id, person_id: str('person_id')! });
  return dlq('invalid_field', `unknown or incomplete identity command ${JSON.stringify(parsed.command)}`);
}

export interface CommandApplied {
  result: CommandResult;
  /** Person ids whose events must be deleted from ClickHouse (GDPR). */
  deletedPersonIds: string[];
  /** What ClickHouse must erase for a deletion (null for any other command). */
  erasure: PersonErasure | null;
}

export function applyIdentityCommandStep(
  graph: IdentityGraph,
  accounts: AccountStore,
  command: IdentityCommand,
  map: JourneyMap,
  now: number,
): CommandApplied {
  const result =
    command.command === 'force-merge'
      ? forceMerge(graph, command, now)
      : command.command === 'split'
        ? splitIdentifier(graph, command, now)
        : deletePerson(graph, command, now);
  const deletedPersonIds: string[] = [];
  for (const effect of result.effects) {
    if (effect.kind === 'merge') {
      const absorbed = accounts.states.get(effect.absorbed_person_id);
      if (absorbed) {
        const survivor = accounts.states.get(effect.survivor_person_id);
        putState(
          accounts,
          survivor ? foldMerge(survivor, absorbed, map) : { ...absorbed, key: effect.survivor_person_id },
        );
        deleteState(accounts, effect.absorbed_person_id);
      }
    }
    if (effect.kind === 'deletion') {
      for (const id of [effect.person_id, ...effect.retired_person_ids]) {
        deleteState(accounts, id);
        // No `deleted` marker row for account_state: the erasure deletes all of the key's rows,
        // and a marker written later would put the person id back.
        accounts.removed.delete(id);
        deletedPersonIds.push(id);
      }
      forgetPersonInAccounts(accounts, [effect.person_id, ...effect.retired_person_ids]);
    }
  }
  return { result, deletedPersonIds: [...new Set(deletedPersonIds)], erasure: personErasureOf(result) };
}
