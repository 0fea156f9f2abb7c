// Operator split: detaches one identifier into a person of its own and pins it, so automatic
// links never pull it back (only a force-merge does). Memberships and past events stay with the
// remainder. The split-off person's id is personIdFor(identifier); if that identifier was the
// remainder's anchor, the remainder takes the id of its next anchor.

import { identifierKey, type IdentifierType } from './identifier-keys.ts';
import { beginChange, finishChange, trackPerson } from './identity-change.ts';
import { emptyOutput, type CommandResult } from './identity-effects.ts';
import { FLAG_PINNED, allocatePerson, attachNode, detachNode, type IdentityGraph } from './identity-graph.ts';

export interface SplitCommand {
  command_id: string;
  identifier_type: IdentifierType;
  value: string;
}

export function splitIdentifier(g: IdentityGraph, command: SplitCommand, now: number): CommandResult {
  const out = emptyOutput();
  const node = g.nodeIndex.get(identifierKey(command.identifier_type, command.value));
  if (node === undefined) return { ...out, outcome: { kind: 'rejected', reason: 'unknown_identifier' } };
  const from = g.nodePerson[node] as number;
  if ((g.personSize[from] as number) === 1)
    return { ...out, outcome: { kind: 'rejected', reason: 'already_alone' } };
  const fromPersonId = g.personIds[from] as string;
  const cs = beginChange();
  trackPerson(g, cs, from);
  detachNode(g, node);
  const alone = allocatePerson(g);
  attachNode(g, node, alone);
  g.nodeFlags[node] = (g.nodeFlags[node] as number) | FLAG_PINNED;
  finishChange(g, cs, { eventId: command.command_id, at: now, reason: 'split' }, out);
  out.effects.push({
    kind: 'split',
    person_id: g.personIds[alone] as string,
    from_person_id: fromPersonId,
    remainder_person_id: g.personIds[from] as string,
    identifier_type: command.identifier_type,
    event_id: command.command_id,
    at: now,
  });
  return { ...out, outcome: { kind: 'applied' } };
}
