// Property tests over random histories (fast-check):
//  1. replaying the same history gives identical ids, effects, rows and changelog;
//  2. when no safety rule fires (at most one user_id per real person, caps out of reach, no
//     operator commands), the final partition, person ids and memberships do not depend on the
//     order of the events;
//  3. whatever the order: no person holds two user_ids, an event with a user_id resolves to that
//     user's person, every person's id is personIdFor(its anchor);
//  4. re-resolving an already processed event changes no state (crash recovery replays batches);
//  5. restore(changelog(history)) == state, including operator commands.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { deletePerson } from './delete-person.ts';
import {
  describeIdentityGraph,
  personOfKey,
  type IdentityGraphDescription,
} from './describe-identity-graph.ts';
import { forceMerge } from './force-merge-persons.ts';
import { DEFAULT_IDENTITY_CONFIG, type IdentityConfig } from './identity-config.ts';
import { restoreIdentityGraph } from './identity-changelog.ts';
import type { ChangelogRecord } from './identity-changelog-record.ts';
import { createIdentityGraph, type IdentityGraph } from './identity-graph.ts';
import { personIdFor } from './identity-hash.ts';
import { compareKeys } from './identifier-keys.ts';
import type { Identifiers } from '../shared/generated/avro-types.ts';
import { journeyEvent, type EventSketch } from './journey-event-fixture.ts';
import { resolve } from './resolve-identity.ts';
import { splitIdentifier } from './split-identifier.ts';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const pick = (prefix: string, n: number) =>
  fc.option(
    fc.integer({ min: 0, max: n - 1 }).map((i) => `${prefix}${i}`),
    { nil: null },
  );

const anyIds = fc.record({
  user_id: pick('u', 4),
  email_hash: pick('h', 4),
  billing_customer_id: pick('b', 3),
  ticket_requester_id: pick('t', 3),
  anonymous_id: pick('a', 6),
  device_id: pick('d', 4),
  account_id: pick('acc', 3),
  previous_id: fc.option(fc.constantFrom('a0', 'a1', 'u0', 'u1'), { nil: null }),
});

const anyEvent = fc.record({
  type: fc.constantFrom('track', 'identify', 'group', 'alias'),
  source: fc.constantFrom<EventSketch['source']>('behavior', 'billing', 'tickets'),
  hour: fc.integer({ min: 0, max: 48 }),
  ids: anyIds,
});
type EventArb = typeof anyEvent extends fc.Arbitrary<infer T> ? T : never;

const toSketch = (e: EventArb, i: number): EventSketch => ({
  id: `e${i}`,
  type: e.type,
  source: e.source,
  time: T0 + e.hour * HOUR,
  ids: e.ids as Partial<Identifiers>,
});

type Command =
  | { kind: 'split'; type: 'anonymous_id' | 'device_id'; value: string }
  | { kind: 'merge'; a: string; b: string }
  | { kind: 'delete'; key: string };
const anyCommand = fc.oneof(
  fc.record({
    kind: fc.constant('split' as const),
    type: fc.constantFrom('anonymous_id' as const, 'device_id' as const),
    value: fc.constantFrom('a0', 'a1', 'd0', 'd1'),
  }),
  fc.record({
    kind: fc.constant('merge' as const),
    a: fc.constantFrom('u:u0', 'a:a2', 'h:h1'),
    b: fc.constantFrom('u:u1', 'd:d3', 'a:a0'),
  }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom('u:u2', 'a:a3', 'e:h0') }),
);
const anyStep = fc.oneof(
  { arbitrary: anyEvent.map((e) => ({ event: e })), weight: 6 },
  { arbitrary: anyCommand.map((c) => ({ command: c })), weight: 1 },
);

function runSteps(steps: ({ event: EventArb } | { command: Command })[], config: IdentityConfig) {
  const g = createIdentityGraph(2);
  const outputs: unknown[] = [];
  const log: ChangelogRecord[] = [];
  steps.forEach((step, i) => {
    const now = T0 + 100 * HOUR + i;
    let result;
    if ('event' in step) result = resolve(g, journeyEvent(toSketch(step.event, i)), now, config);
    else if (step.command.kind === 'split')
      result = splitIdentifier(
        g,
        { command_id: `c${i}`, identifier_type: step.command.type, value: step.command.value },
        now,
      );
    else if (step.command.kind === 'merge') {
      result = forceMerge(
        g,
        {
          command_id: `c${i}`,
          person_id: personOfKey(g, step.command.a) ?? 'none',
          other_person_id: personOfKey(g, step.command.b) ?? 'none',
        },
        now,
      );
    } else
      result = deletePerson(
        g,
        { command_id: `c${i}`, person_id: personOfKey(g, step.command.key) ?? 'none' },
        now,
      );
    outputs.push(result);
    log.push(...result.changelog);
  });
  return { g, outputs, log };
}

/** Partition, ids and memberships; without node flags, which record history (who was ever an anchor). */
const partition = (d: IdentityGraphDescription) =>
  d.persons.map((p) => ({
    person_id: p.person_id,
    keys: p.identifiers.map((i) => i.key),
    accounts: p.accounts,
  }));

function checkInvariants(g: IdentityGraph): void {
  for (const person of describeIdentityGraph(g).persons) {
    const keys = person.identifiers.map((i) => i.key);
    assert.ok(keys.filter((k) => k.startsWith('u:')).length <= 1, `two users in ${JSON.stringify(keys)}`);
    const anchor = [...keys].sort(compareKeys)[0] as string;
    assert.equal(person.person_id, personIdFor(anchor), 'person id is the hash of its anchor');
  }
}

describe('identity properties', () => {
  it('replaying the same history gives identical ids, effects, rows and changelog', () => {
    fc.assert(
      fc.property(fc.array(anyStep, { maxLength: 40 }), (steps) => {
        const first = runSteps(steps, DEFAULT_IDENTITY_CONFIG);
        const second = runSteps(steps, DEFAULT_IDENTITY_CONFIG);
        assert.deepEqual(second.outputs, first.outputs);
        assert.deepEqual(describeIdentityGraph(second.g), describeIdentityGraph(first.g));
      }),
      { numRuns: 150 },
    );
  });

  it('without refusals, the final partition and ids do not depend on event order', () => {
    // Each real person owns disjoint identifiers and at most one user_id; events only mix
    // identifiers of one real person, so no safety rule can fire.
    const owned = fc.integer({ min: 0, max: 3 }).chain((owner) =>
      fc.record({
        type: fc.constantFrom('track', 'identify', 'group'),
        source: fc.constantFrom<EventSketch['source']>('behavior', 'billing'),
        hour: fc.integer({ min: 0, max: 48 }),
        ids: fc.record({
          user_id: fc.option(fc.constant(`u${owner}`), { nil: null }),
          email_hash: fc.option(fc.constantFrom(`h${owner}`, `h${owner}x`), { nil: null }),
          anonymous_id: fc.option(
            fc.integer({ min: 0, max: 3 }).map((i) => `a${owner}.${i}`),
            { nil: null },
          ),
          device_id: fc.option(
            fc.integer({ min: 0, max: 2 }).map((i) => `d${owner}.${i}`),
            { nil: null },
          ),
          account_id: pick('acc', 3),
          billing_customer_id: fc.constant(null),
          ticket_requester_id: fc.constant(null),
          previous_id: fc.constant(null),
        }),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(owned, { maxLength: 30 }).chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(
              events.map((_, i) => i),
              { minLength: events.length, maxLength: events.length },
            ),
          ),
        ),
        ([events, order]) => {
          const inOrder = runSteps(
            events.map((event) => ({ event })),
            DEFAULT_IDENTITY_CONFIG,
          );
          const shuffled = runSteps(
            order.map((i) => ({ event: events[i] as EventArb })),
            DEFAULT_IDENTITY_CONFIG,
          );
          const refusals = [inOrder, shuffled].flatMap((r) =>
            (r.outputs as { effects: { kind: string }[] }[])
              .flatMap((o) => o.effects)
              .filter((e) => e.kind.startsWith('refused')),
          );
          assert.deepEqual(refusals, []);
          assert.deepEqual(
            partition(describeIdentityGraph(shuffled.g)),
            partition(describeIdentityGraph(inOrder.g)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('in any history: no person holds two user_ids, a user_id event resolves to its user, ids come from keys', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 40 }), (events) => {
        const g = createIdentityGraph(2);
        events.forEach((e, i) => {
          const result = resolve(g, journeyEvent(toSketch(e, i)), T0, DEFAULT_IDENTITY_CONFIG);
          if (e.ids.user_id !== null && result.outcome.kind === 'resolved') {
            assert.equal(result.outcome.event.person_id, personIdFor(`u:${e.ids.user_id}`));
          }
        });
        checkInvariants(g);
      }),
      { numRuns: 200 },
    );
  });

  it('re-resolving an already processed event changes no state (caps out of reach, no commands)', () => {
    // With caps in reach a refused identifier can later appear elsewhere and change the target on
    // re-resolution; the shell avoids re-resolving through changelog checkpoints instead.
    const tight = DEFAULT_IDENTITY_CONFIG;
    fc.assert(
      fc.property(fc.array(anyEvent, { minLength: 1, maxLength: 30 }), fc.nat(), (events, which) => {
        const { g } = runSteps(
          events.map((event) => ({ event })),
          tight,
        );
        const i = which % events.length;
        const again = resolve(g, journeyEvent(toSketch(events[i] as EventArb, i)), T0 + 999 * HOUR, tight);
        assert.deepEqual(again.changelog, []);
      }),
      { numRuns: 200 },
    );
  });

  it('restore(changelog(history)) == state, with operator commands and tight caps', () => {
    const tight: IdentityConfig = {
      ...DEFAULT_IDENTITY_CONFIG,
      maxIdentifiersPerPerson: 6,
      maxAccountsPerPerson: 2,
    };
    fc.assert(
      fc.property(fc.array(anyStep, { maxLength: 40 }), (steps) => {
        const { g, log } = runSteps(steps, tight);
        assert.deepEqual(describeIdentityGraph(restoreIdentityGraph(log)), describeIdentityGraph(g));
      }),
      { numRuns: 200 },
    );
  });
});
