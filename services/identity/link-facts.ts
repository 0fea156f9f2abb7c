// Link facts (docs/architecture.md, step 3): the part of an event the identity graph depends on,
// and the filter an ingest instance applies so that the single-writer resolver sees only the
// events that can still change the graph — a few percent of the traffic, not all of it.
//
// What `resolve` reads from an event: its identifier keys (junk removed), the alias's previous_id,
// the named account, whether the membership is explicit (group calls, billing), the merge reason
// its type gives (identify, alias, shared identifier), and its time — for the membership's
// explicit / last-seen times, kept as maxima at MEMBERSHIP_TIME_GRANULARITY_MS. So an event whose
// fact (everything but the time) was already sent, with an hour bucket no later than the one sent,
// changes nothing the graph keeps: re-resolving it is a no-op (identity-properties.test.ts, 4), and
// a maximum already reached stays reached. `link-facts.test.ts` checks that resolving only the
// admitted events gives the same persons, identifiers and memberships as resolving all of them
// (no identity cap reached).
//
// Limits, by design: the filter forgets (a bounded cache): a forgotten fact is sent again, which
// is harmless. Operator commands (split, delete, force-merge) change the graph outside the event
// stream; an instance must clear its filter when one is applied (the resolver would announce
// them), and events from before the command then pass (a tombstone compares exact times). An
// alias always passes: whether it links depends on the graph. Identity caps in reach make the
// graph depend on the order of events anyway (docs/identity.md): a link refused at the cap is not
// retried by a dropped repeat, so the equivalence holds when no cap is reached.
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import { MEMBERSHIP_TIME_GRANULARITY_MS } from './account-membership.ts';
import { extractIdentifiers } from './identifier-keys.ts';

export interface LinkFact {
  /** Identifier keys, sorted (identifier-keys.ts), junk removed. */
  keys: string[];
  previousId: string | null;
  account: string | null;
  explicit: boolean;
  reason: 'identify' | 'alias' | 'shared_identifier';
  /** The event time, cut to the membership granularity. */
  bucket: number;
  /** The event time itself (deletion tombstones compare it exactly). */
  time: number;
}

export function linkFactOf(event: JourneyEvent, junkPattern: RegExp | null): LinkFact {
  const found = extractIdentifiers(event, junkPattern);
  return {
    keys: found.keys,
    previousId: found.previousId,
    account: found.accountKey,
    explicit: event.type === 'group' || event.source === 'billing',
    reason: event.type === 'identify' ? 'identify' : event.type === 'alias' ? 'alias' : 'shared_identifier',
    bucket: event.event_time - (event.event_time % MEMBERSHIP_TIME_GRANULARITY_MS),
    time: event.event_time,
  };
}

/** The fact without its time: two events with the same one differ only in when they happened. */
export const linkFactKey = (f: LinkFact): string =>
  JSON.stringify([f.reason, f.keys, f.previousId, f.account, f.explicit]);

/**
 * Admits an event's fact when the graph may not have seen it yet: a fact never sent (or forgotten),
 * or one naming an account at a later hour than the one sent. Always admitted, and not remembered:
 * an alias (whether its previous id links depends on the graph: it never links to a known user
 * until that id is also an anonymous one), and an event from before the last operator command
 * (`clear(at)`: a late event from before a deletion is suppressed by the tombstone, and must not
 * hide a later one from after it). Bounded: at most `capacity` facts are remembered, the least
 * recently admitted forgotten first.
 */
export class LinkFactFilter {
  private readonly seen = new Map<string, number>();
  private readonly capacity: number;
  private clearedAt = -Infinity;
  admitted = 0;
  /** Of the admitted, facts already sent, again for a later hour of their account. */
  renewed = 0;
  dropped = 0;

  constructor(capacity = 100_000) {
    this.capacity = capacity;
  }

  admit(fact: LinkFact): boolean {
    if (fact.previousId !== null || fact.time <= this.clearedAt) {
      this.admitted++;
      return true;
    }
    const key = linkFactKey(fact);
    const sent = this.seen.get(key);
    // Without an account nothing in the fact depends on time: once is enough.
    if (sent !== undefined && (fact.account === null || fact.bucket <= sent)) {
      this.dropped++;
      return false;
    }
    if (sent !== undefined) this.renewed++;
    this.seen.delete(key);
    this.seen.set(key, Math.max(sent ?? fact.bucket, fact.bucket));
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
    this.admitted++;
    return true;
  }

  /** The batch that admitted the facts since the last call was not committed: what it sent is
   *  lost with it, so nothing admitted may stay remembered. Forgets every fact (they are sent
   *  again when seen), keeping the operator-command time. */
  forget(): void {
    this.seen.clear();
  }

  /** After an operator command (split, delete, force-merge) applied at `at` changed the graph
   *  outside the event stream: forget every fact, and pass every event from before it. */
  clear(at: number): void {
    this.seen.clear();
    this.clearedAt = Math.max(this.clearedAt, at);
  }
}
