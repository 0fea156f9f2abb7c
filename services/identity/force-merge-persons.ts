// Operator force-merge: joins two persons regardless of the known-user rule, pins and caps (an
// operator has decided they are one human). The survivor is the usual anchor rule, so a later
// replay of the same command gives the same id.

import { mergeMemberships } from './account-membership.ts';
import { beginChange, finishChange, trackPerson } from './identity-change.ts';
import { emptyOutput, type CommandResult } from './identity-effects.ts';
import { absorbPerson, type IdentityGraph } from './identity-graph.ts';

export interface ForceMergeCommand {
  command_id: string;
  person_id: string;
  other_person_id: string;
}

export function forceMerge(g: IdentityGraph, command: ForceMergeCommand, now: number): CommandResult {
  const out = emptyOutput();
  const a = g.personSlotById.get(command.person_id);
  const b = g.personSlotById.get(command.other_person_id);
  if (a === undefined || b === undefined)
    return { ...out, outcome: { kind: 'rejected', reason: 'unknown_person' } };
  if (a === b) return { ...out, outcome: { kind: 'rejected', reason: 'same_person' } };
  const cs = beginChange();
  trackPerson(g, cs, a);
  trackPerson(g, cs, b);
  // Relabel the smaller list; which slot is kept does not affect the resulting id.
  const [from, into] = (g.personSize[a] as number) <= (g.personSize[b] as number) ? [a, b] : [b, a];
  if (g.memberships[from] !== undefined) cs.membershipSlots.add(into);
  mergeMemberships(g, from, into);
  absorbPerson(g, from, into);
  finishChange(g, cs, { eventId: command.command_id, at: now, reason: 'force_merge' }, out);
  return { ...out, outcome: { kind: 'applied' } };
}
