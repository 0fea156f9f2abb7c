// The journey partitioned by account (docs/architecture.md, steps 4-5): the resolve step routes each
// resolved event to its key's partition, and turns the identity folds the single-writer journey
// does in place (apply-journey-step.ts, foldIdentityStep) into records for the partitions that
// hold the states: a MOVE to the partition of the person whose pre-account state must go, and an
// EXPECT at the place in the receiving key's stream where the single writer folds it. The state
// step (keyed-partition.ts) sends the moved state as a HANDOVER and holds the receiving key's
// later records until it arrives, so every key sees its events, folds and sweeps in the order the
// single writer applies them: the same states and effects, however many partitions and instances.
//
// Account states never move (no fold takes one); only a person's pre-account state does, into the
// survivor of a merge or into the first account one of its events is attributed to. The resolve
// step keeps the set of person keys that may hold such a state (every person key it routed an
// event or a move to, until it routes the move away): a superset is harmless (an empty handover),
// a missing key would lose a state.
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { IdentityEffect } from '../identity/identity-core.ts';
import type { WatermarkMarker } from '../shared/kafka/watermark-marker.ts';
import type { PersonErasure } from '../identity/person-erasure.ts';
import type { AccountState } from './account-state.ts';
import { journeyKeyOf } from './reduce-journey.ts';

export type KeyKind = AccountState['kind'];

export type ResolvedRecord =
  /** The event, resolved (person_id, account_id set), for its key's state. */
  | { kind: 'event'; key: string; event: JourneyEvent }
  /** A raw partition's progress, forwarded to every partition (canonical partition it came on). */
  | { kind: 'marker'; origin: number; marker: WatermarkMarker }
  /** At the partition of `key`: hand its state over to `to` (created there as `toKind` if new). */
  | { kind: 'move'; key: string; to: string; toKind: KeyKind }
  /** At the partition of `key`: the state of `from` folds in here; hold the key until it comes. */
  | { kind: 'expect'; key: string; from: string; toKind: KeyKind }
  /** Written by the state step to the partition of `key`: the state `from` held (null: none). */
  | { kind: 'handover'; key: string; from: string; state: AccountState | null }
  /** An operator's deletion: the deleted person's own state goes (no `deleted` snapshot row). */
  | { kind: 'drop'; key: string }
  /** An operator's deletion, to every partition: the accounts forget the persons, and the
   *  partition erases their rows from ClickHouse (after every earlier event of its stream). */
  | { kind: 'forget'; erasure: PersonErasure };

export interface RouteState {
  /** Person keys that may hold a pre-account state. */
  personKeyed: Set<string>;
  /** Person keys added or removed since the last flush (they go to the changelog). */
  changed: Set<string>;
}

export const createRouteState = (): RouteState => ({ personKeyed: new Set(), changed: new Set() });

function keep(route: RouteState, key: string): void {
  if (route.personKeyed.has(key)) return;
  route.personKeyed.add(key);
  route.changed.add(key);
}

function move(route: RouteState, from: string, to: string, toKind: KeyKind, out: ResolvedRecord[]): void {
  if (from === to || !route.personKeyed.delete(from)) return;
  route.changed.add(from);
  out.push({ kind: 'move', key: from, to, toKind });
  out.push({ kind: 'expect', key: to, from, toKind });
  if (toKind === 'person') keep(route, to);
}

/** The records of one resolved event, in order: its folds (as foldIdentityStep does them), then the event. */
export function routeResolved(
  route: RouteState,
  event: JourneyEvent,
  identityEffects: readonly IdentityEffect[],
): ResolvedRecord[] {
  const out: ResolvedRecord[] = [];
  for (const effect of identityEffects)
    if (effect.kind === 'merge')
      move(route, effect.absorbed_person_id, effect.survivor_person_id, 'person', out);
  if (event.account_id && event.person_id) move(route, event.person_id, event.account_id, 'account', out);
  const { key, kind } = journeyKeyOf(event);
  if (kind === 'person' && event.person_id) keep(route, key);
  out.push({ kind: 'event', key, event });
  return out;
}

/** The records of an operator command's effects (apply-identity-command-step.ts does the same in
 *  place): a forced merge moves the absorbed person's state; a deletion drops the deleted persons'
 *  states and makes every partition forget them. */
export function routeCommand(
  route: RouteState,
  effects: readonly IdentityEffect[],
  erasure: PersonErasure | null,
): ResolvedRecord[] {
  const out: ResolvedRecord[] = [];
  for (const effect of effects) {
    if (effect.kind === 'merge')
      move(route, effect.absorbed_person_id, effect.survivor_person_id, 'person', out);
    if (effect.kind === 'deletion')
      for (const id of new Set([effect.person_id, ...effect.retired_person_ids])) {
        if (route.personKeyed.delete(id)) route.changed.add(id);
        out.push({ kind: 'drop', key: id });
      }
  }
  if (erasure) out.push({ kind: 'forget', erasure });
  return out;
}
