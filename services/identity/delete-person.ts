// Operator delete (GDPR): removes a person and all its identifiers from the graph, tombstones the
// identifiers (hashed) so replays of old events are suppressed, marks its identity_map and
// person_overrides rows deleted, and emits a deletion effect listing every id the person was
// known by so later stages and ClickHouse can delete their rows too.

import { beginChange, finishChange, trackPerson } from './identity-change.ts';
import { addTombstone } from './deletion-tombstones.ts';
import { emptyOutput, type CommandResult } from './identity-effects.ts';
import {
  FLAG_WAS_ANCHOR,
  detachNode,
  forgetNode,
  keyOf,
  nextVersion,
  nodesOf,
  type IdentityGraph,
} from './identity-graph.ts';
import { personIdFor } from './identity-hash.ts';

export interface DeletePersonCommand {
  command_id: string;
  person_id: string;
}

export function deletePerson(g: IdentityGraph, command: DeletePersonCommand, now: number): CommandResult {
  const out = emptyOutput();
  const slot = g.personSlotById.get(command.person_id);
  if (slot === undefined) return { ...out, outcome: { kind: 'rejected', reason: 'unknown_person' } };
  const cs = beginChange();
  trackPerson(g, cs, slot);
  const version = nextVersion(g, now);
  const retired = new Set<string>([command.person_id]);
  const nodes = nodesOf(g, slot);
  for (const node of nodes) {
    const key = keyOf(g, node);
    out.changelog.push(addTombstone(g, key, now));
    out.rows.identity_map.push({ identifier_key: key, person_id: command.person_id, version, is_deleted: 1 });
    if (((g.nodeFlags[node] as number) & FLAG_WAS_ANCHOR) !== 0) retired.add(personIdFor(key));
  }
  for (const node of nodes) {
    detachNode(g, node);
    forgetNode(g, node);
  }
  for (const old of retired) {
    out.rows.person_overrides.push({
      old_person_id: old,
      person_id: command.person_id,
      version,
      is_deleted: 1,
    });
  }
  finishChange(g, cs, { eventId: command.command_id, at: now, reason: 'force_merge' }, out);
  out.effects.push({
    kind: 'deletion',
    person_id: command.person_id,
    retired_person_ids: [...retired].sort(),
    identifier_count: nodes.length,
    event_id: command.command_id,
    at: now,
  });
  return { ...out, outcome: { kind: 'applied' } };
}
