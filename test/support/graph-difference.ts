// Two identity graphs compared person by person: the persons (and tombstones) one holds and the
// other does not, one JSON line each, so a failed comparison names what differs instead of
// printing "[Object]" a hundred times.
import { describeIdentityGraph, type IdentityGraph } from '../../services/identity/identity-core.ts';

export interface GraphDifference {
  only_in_got: string[];
  only_in_expected: string[];
}

function lines(g: IdentityGraph): Set<string> {
  const { persons, tombstones } = describeIdentityGraph(g);
  return new Set([
    ...persons.map((p) => JSON.stringify(p)),
    ...tombstones.map((t) => `tombstone ${JSON.stringify(t)}`),
  ]);
}

export function graphDifference(got: IdentityGraph, expected: IdentityGraph): GraphDifference {
  const a = lines(got);
  const b = lines(expected);
  return {
    only_in_got: [...a].filter((l) => !b.has(l)),
    only_in_expected: [...b].filter((l) => !a.has(l)),
  };
}

export const NO_DIFFERENCE: GraphDifference = { only_in_got: [], only_in_expected: [] };
