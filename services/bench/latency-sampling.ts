// Which events the latency measurement follows, and their latencies. The producer (parent
// process) and the journey process agree on the sample without talking: an event is sampled when
// a hash of its id falls in 1/`every` of the space, so the journey process reports insert
// acknowledgements only for those ids and the probe query stays small.

/** FNV-1a 32-bit of the id's UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export const isSampled = (eventId: string, every: number): boolean =>
  every > 0 && fnv1a(eventId) % every === 0;

/**
 * Latency in ms of every sampled event seen (first sighting wins: a re-insert of the same event is
 * not its first moment of being queryable). Events never seen are counted as `missing`.
 */
export function latenciesOf(
  producedAt: ReadonlyMap<string, number>,
  seenAt: Iterable<readonly [string, number]>,
): { latencies: number[]; missing: number } {
  const first = new Map<string, number>();
  for (const [id, at] of seenAt) {
    const known = first.get(id);
    if (known === undefined || at < known) first.set(id, at);
  }
  const latencies: number[] = [];
  let missing = 0;
  for (const [id, produced] of producedAt) {
    const at = first.get(id);
    if (at === undefined) missing++;
    else latencies.push(Math.max(0, at - produced));
  }
  return { latencies, missing };
}

/**
 * The sampled events split by when they were produced: those of the phase's first
 * `warmupSeconds` (fresh processes: JIT, group joins, first batches) apart from the rest, which
 * the latency figures are taken from. No warm-up: every sample is measured.
 */
export function splitWarmup(
  producedAt: ReadonlyMap<string, number>,
  startedAtMs: number,
  warmupSeconds: number,
): { warm: Map<string, number>; measured: Map<string, number> } {
  const end = startedAtMs + warmupSeconds * 1000;
  const warm = new Map<string, number>();
  const measured = new Map<string, number>();
  for (const [id, at] of producedAt) (at < end ? warm : measured).set(id, at);
  return { warm, measured };
}
