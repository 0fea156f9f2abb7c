// The premise of the scaled-out topology (docs/architecture.md): a single-writer resolver fed only
// the link facts an ingest's filter admits builds the same identity graph as today's journey
// resolving every event. Property test over random histories (fast-check): events in any order,
// any time, with identifiers from small pools so that they collide, merge, alias and name
// accounts (implicitly and explicitly, at many hours); the filter large or tiny (forgetting).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { describeIdentityGraph } from './describe-identity-graph.ts';
import { DEFAULT_IDENTITY_CONFIG } from './identity-config.ts';
import { createIdentityGraph } from './identity-graph.ts';
import { journeyEvent } from './journey-event-fixture.ts';
import type { EventSketch } from './journey-event-fixture.ts';
import { LinkFactFilter, linkFactOf } from './link-facts.ts';
import { resolve } from './resolve-identity.ts';

const T0 = 1_700_000_000_000;
const QUARTER_HOUR = 900_000;
const pick = (prefix: string, n: number) =>
  fc.option(
    fc.integer({ min: 0, max: n - 1 }).map((i) => `${prefix}${i}`),
    { nil: null, freq: 2 },
  );
const eventArb = fc.record({
  type: fc.constantFrom('track', 'track', 'page', 'identify', 'group', 'alias'),
  source: fc.constantFrom<EventSketch['source']>('behavior', 'behavior', 'billing'),
  quarter: fc.integer({ min: 0, max: 400 }),
  user_id: pick('u', 4),
  // Some anonymous ids share their value with a user id: an alias naming that value links only
  // once the anonymous id exists (resolve-identity.ts), so the order matters and the filter must
  // not drop a repeated alias.
  anonymous_id: fc.oneof(pick('a', 6), pick('u', 2)),
  email_hash: pick('e', 4),
  account_id: pick('acc', 3),
  // An alias's previous id is an anonymous id, or a known user's id (never linked: refused).
  previous_id: fc.oneof(pick('a', 6), pick('u', 4)),
});
type EventArb = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

const toEvent = (e: EventArb, i: number) =>
  journeyEvent({
    id: `ev${i}`,
    type: e.type,
    source: e.source,
    time: T0 + e.quarter * QUARTER_HOUR,
    ids: {
      user_id: e.user_id,
      anonymous_id: e.anonymous_id,
      email_hash: e.email_hash,
      account_id: e.account_id,
      previous_id: e.type === 'alias' ? e.previous_id : null,
    },
  });

function graphOf(events: EventArb[], admit: (i: number) => boolean) {
  const g = createIdentityGraph();
  const accounts: Array<string | null> = [];
  events.forEach((e, i) => {
    if (!admit(i)) return;
    const result = resolve(g, toEvent(e, i), T0, DEFAULT_IDENTITY_CONFIG);
    accounts[i] = result.outcome.kind === 'resolved' ? result.outcome.event.account_id : null;
  });
  return { description: describeIdentityGraph(g), accounts };
}

test('resolving only the admitted link facts builds the graph that resolving every event builds', () => {
  let admitted = 0;
  let total = 0;
  fc.assert(
    fc.property(
      fc.array(eventArb, { minLength: 1, maxLength: 120 }),
      fc.constantFrom(100_000, 3),
      (events, capacity) => {
        const filter = new LinkFactFilter(capacity);
        const admits = events.map((e, i) =>
          filter.admit(linkFactOf(toEvent(e, i), DEFAULT_IDENTITY_CONFIG.junkPattern)),
        );
        const all = graphOf(events, () => true);
        const facts = graphOf(events, (i) => admits[i]!);
        assert.deepEqual(facts.description, all.description);
        admitted += filter.admitted;
        total += events.length;
      },
    ),
    { numRuns: 300 },
  );
  // The filter does drop events (the point of it); the share is far lower on real traffic, where
  // most events repeat the identifiers of a session.
  assert.ok(admitted < total, `${admitted} of ${total} admitted`);
});

test('an alias refused while its previous id is a known user links once that id is also an anonymous one: never dropped', () => {
  const history: EventArb[] = [
    {
      type: 'identify',
      source: 'behavior',
      quarter: 0,
      user_id: 'u1',
      anonymous_id: null,
      email_hash: null,
      account_id: null,
      previous_id: null,
    },
    {
      type: 'alias',
      source: 'behavior',
      quarter: 1,
      user_id: 'u2',
      anonymous_id: null,
      email_hash: null,
      account_id: null,
      previous_id: 'u1',
    },
    {
      type: 'track',
      source: 'behavior',
      quarter: 2,
      user_id: null,
      anonymous_id: 'u1',
      email_hash: null,
      account_id: null,
      previous_id: null,
    },
    {
      type: 'alias',
      source: 'behavior',
      quarter: 3,
      user_id: 'u2',
      anonymous_id: null,
      email_hash: null,
      account_id: null,
      previous_id: 'u1',
    },
  ];
  const filter = new LinkFactFilter();
  const admits = history.map((e, i) => filter.admit(linkFactOf(toEvent(e, i), null)));
  assert.deepEqual(graphOf(history, (i) => admits[i]!).description, graphOf(history, () => true).description);
});

test('a repeated fact is dropped; a later hour for an account, or a forgotten fact, is sent again', () => {
  const filter = new LinkFactFilter(2);
  const fact = (quarter: number, ids: EventSketch['ids'], type = 'track') =>
    linkFactOf(journeyEvent({ id: 'x', type, time: T0 + quarter * QUARTER_HOUR, ids }), null);
  assert.equal(filter.admit(fact(0, { anonymous_id: 'a1' })), true);
  assert.equal(filter.admit(fact(50, { anonymous_id: 'a1' })), false, 'no account: once is enough');
  assert.equal(filter.admit(fact(0, { anonymous_id: 'a1', account_id: 'acc' })), true);
  assert.equal(filter.admit(fact(3, { anonymous_id: 'a1', account_id: 'acc' })), false, 'same hour');
  assert.equal(filter.admit(fact(4, { anonymous_id: 'a1', account_id: 'acc' })), true, 'a later hour');
  assert.equal(filter.admit(fact(1, { anonymous_id: 'a1', account_id: 'acc' })), false, 'an earlier hour');
  assert.equal(filter.admit(fact(0, { anonymous_id: 'a1' }, 'identify')), true, 'another merge reason');
  // Capacity 2: the anonymous-only fact was forgotten.
  assert.equal(filter.admit(fact(60, { anonymous_id: 'a1' })), true);
  filter.clear(T0 + 10 * QUARTER_HOUR);
  assert.equal(filter.admit(fact(40, { anonymous_id: 'a2' })), true, 'cleared');
  assert.equal(filter.admit(fact(41, { anonymous_id: 'a2' })), false);
  // From before the command: passes each time (a tombstone may suppress it; a later one must pass).
  assert.equal(filter.admit(fact(5, { anonymous_id: 'a3' })), true);
  assert.equal(filter.admit(fact(5, { anonymous_id: 'a3' })), true);
  assert.equal(filter.admit(fact(50, { anonymous_id: 'a3' })), true, 'after the command: new');
  // An alias always passes.
  const alias = fact(60, { anonymous_id: 'a9', previous_id: 'u1' }, 'alias');
  assert.equal(filter.admit(alias), true);
  assert.equal(filter.admit(alias), true);
});
