// Scenario tests for resolve(): one table row per SPEC §2 rule. Each row feeds events into a fresh
// graph and checks the resolved ids, the effects and the rows that later stages and ClickHouse see.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { personOfKey } from './describe-identity-graph.ts';
import { DEFAULT_IDENTITY_CONFIG, type IdentityConfig } from './identity-config.ts';
import type { IdentityEffect, ResolveResult } from './identity-effects.ts';
import { createIdentityGraph, type IdentityGraph } from './identity-graph.ts';
import { accountIdFor, personIdFor } from './identity-hash.ts';
import { journeyEvent, type EventSketch } from './journey-event-fixture.ts';
import { resolve } from './resolve-identity.ts';

const P = (key: string): string => personIdFor(key);
const ACC = (key: string): string => accountIdFor(key);
const HOUR = 3_600_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % HOUR);

function run(sketches: EventSketch[], config: IdentityConfig = DEFAULT_IDENTITY_CONFIG) {
  const g = createIdentityGraph(2);
  const results = sketches.map((s, i) => resolve(g, journeyEvent(s), T0 + i, config));
  return { g, results };
}

const personOf = (r: ResolveResult | undefined): string | null =>
  r?.outcome.kind === 'resolved' ? r.outcome.event.person_id : null;
const accountOf = (r: ResolveResult | undefined): string | null =>
  r?.outcome.kind === 'resolved' ? r.outcome.event.account_id : null;
const effectsOf = <K extends IdentityEffect['kind']>(r: ResolveResult | undefined, kind: K) =>
  (r?.effects ?? []).filter((e): e is Extract<IdentityEffect, { kind: K }> => e.kind === kind);

interface Scenario {
  name: string;
  config?: IdentityConfig;
  events: EventSketch[];
  check: (g: IdentityGraph, results: ResolveResult[]) => void;
}

const capped: IdentityConfig = {
  ...DEFAULT_IDENTITY_CONFIG,
  maxIdentifiersPerPerson: 4,
  maxIdentifiersPerType: { ...DEFAULT_IDENTITY_CONFIG.maxIdentifiersPerType, anonymous_id: 2 },
  maxAccountsPerPerson: 1,
};

const scenarios: Scenario[] = [
  {
    name: 'anonymous to known: the anonymous person is merged into the user, with an overrides row',
    events: [
      { id: 'e1', ids: { anonymous_id: 'a1' } },
      { id: 'e2', ids: { anonymous_id: 'a1' } },
      { id: 'e3', type: 'identify', ids: { anonymous_id: 'a1', user_id: 'u1' } },
      { id: 'e4', ids: { anonymous_id: 'a1' } },
    ],
    check: (g, [r1, r2, r3, r4]) => {
      assert.equal(personOf(r1), P('a:a1'));
      assert.equal(personOf(r2), P('a:a1'));
      assert.deepEqual(r2?.effects, [], 'a repeat event changes nothing');
      assert.equal(personOf(r3), P('u:u1'));
      assert.deepEqual(effectsOf(r3, 'merge'), [
        {
          kind: 'merge',
          absorbed_person_id: P('a:a1'),
          survivor_person_id: P('u:u1'),
          reason: 'identify',
          event_id: 'e3',
          at: T0 + 2,
        },
      ]);
      assert.deepEqual(
        r3?.rows.person_overrides.map((r) => [r.old_person_id, r.person_id]),
        [[P('a:a1'), P('u:u1')]],
      );
      assert.equal(personOf(r4), P('u:u1'));
      assert.equal(personOfKey(g, 'a:a1'), P('u:u1'));
    },
  },
  {
    name: "a known user's second device joins the person",
    events: [
      { id: 'e1', type: 'identify', ids: { anonymous_id: 'a1', device_id: 'd1', user_id: 'u1' } },
      { id: 'e2', ids: { anonymous_id: 'a2', device_id: 'd2' } },
      { id: 'e3', ids: { user_id: 'u1', anonymous_id: 'a2', device_id: 'd2' } },
    ],
    check: (g, [r1, r2, r3]) => {
      assert.equal(personOf(r1), P('u:u1'));
      assert.equal(personOf(r2), P('a:a2'));
      assert.equal(personOf(r3), P('u:u1'));
      assert.deepEqual(
        effectsOf(r3, 'merge').map((m) => m.absorbed_person_id),
        [P('a:a2')],
      );
      assert.equal(effectsOf(r3, 'merge')[0]?.reason, 'shared_identifier');
      for (const key of ['a:a1', 'a:a2', 'd:d1', 'd:d2']) assert.equal(personOfKey(g, key), P('u:u1'));
    },
  },
  {
    name: 'two known users are never merged by identify',
    events: [
      { id: 'e1', type: 'identify', ids: { anonymous_id: 'a1', user_id: 'u1' } },
      { id: 'e2', type: 'identify', ids: { anonymous_id: 'a1', user_id: 'u2' } },
    ],
    check: (g, [, r2]) => {
      assert.equal(personOf(r2), P('u:u2'), 'the event goes to its own user');
      assert.deepEqual(
        effectsOf(r2, 'refused_merge').map((e) => [e.reason, e.person_id, e.other_person_id]),
        [['distinct_known_users', P('u:u2'), P('u:u1')]],
      );
      assert.equal(personOfKey(g, 'a:a1'), P('u:u1'), 'the anonymous id stays with the first user');
    },
  },
  {
    name: 'two known users are never merged by a shared email or billing id',
    events: [
      { id: 'e1', ids: { user_id: 'u1', email_hash: 'h1' } },
      { id: 'e2', ids: { user_id: 'u2', email_hash: 'h1', billing_customer_id: 'cus_1' } },
      {
        id: 'e3',
        source: 'billing',
        type: 'invoice',
        ids: { billing_customer_id: 'cus_1', email_hash: 'h1' },
      },
    ],
    check: (g, [, r2, r3]) => {
      assert.equal(effectsOf(r2, 'refused_merge')[0]?.reason, 'distinct_known_users');
      assert.equal(personOfKey(g, 'b:cus_1'), P('u:u2'));
      assert.equal(personOf(r3), P('u:u1'), 'the higher-ranked identifier (email) picks the person');
      assert.equal(effectsOf(r3, 'refused_merge')[0]?.reason, 'distinct_known_users');
    },
  },
  {
    name: 'alias links an anonymous previous_id but refuses one that is another known user',
    events: [
      { id: 'e1', ids: { anonymous_id: 'a1' } },
      { id: 'e2', type: 'alias', ids: { user_id: 'u1', previous_id: 'a1' } },
      { id: 'e3', ids: { user_id: 'u2' } },
      { id: 'e4', type: 'alias', ids: { user_id: 'u2', previous_id: 'u1' } },
    ],
    check: (_g, [, r2, , r4]) => {
      assert.deepEqual(
        effectsOf(r2, 'merge').map((m) => [m.absorbed_person_id, m.reason]),
        [[P('a:a1'), 'alias']],
      );
      assert.equal(personOf(r4), P('u:u2'));
      assert.equal(effectsOf(r4, 'refused_merge')[0]?.other_person_id, P('u:u1'));
    },
  },
  {
    name: 'junk ids never become nodes (built-in list and configured pattern)',
    config: { ...DEFAULT_IDENTITY_CONFIG, junkPattern: /^test-/ },
    events: [
      { id: 'e1', type: 'identify', ids: { user_id: 'undefined', anonymous_id: 'a1', device_id: '0000' } },
      { id: 'e2', ids: { user_id: 'test-123', anonymous_id: 'a1', email_hash: ' ' } },
      { id: 'e3', ids: { user_id: 'null' } },
    ],
    check: (g, [r1, r2, r3]) => {
      assert.equal(personOf(r1), P('a:a1'));
      assert.equal(personOf(r2), P('a:a1'));
      assert.deepEqual([...g.nodeIndex.keys()], ['a:a1']);
      assert.equal(personOf(r3), null, 'an event with only junk ids gets no person');
    },
  },
  {
    name: 'per-type cap refuses a new anonymous id; the event still resolves to the user',
    config: capped,
    events: [
      { id: 'e1', ids: { user_id: 'u1', anonymous_id: 'a1' } },
      { id: 'e2', ids: { user_id: 'u1', anonymous_id: 'a2' } },
      { id: 'e3', ids: { user_id: 'u1', anonymous_id: 'a3' } },
    ],
    check: (g, [, , r3]) => {
      assert.equal(personOf(r3), P('u:u1'));
      assert.deepEqual(
        effectsOf(r3, 'refused_link').map((e) => [e.reason, e.identifier_type]),
        [['type_cap', 'anonymous_id']],
      );
      assert.equal(g.nodeIndex.has('a:a3'), false);
    },
  },
  {
    name: 'total cap refuses a merge that would exceed it',
    config: capped,
    events: [
      { id: 'e1', ids: { user_id: 'u1', email_hash: 'h1', crm_id: 'c1', device_id: 'd1' } },
      { id: 'e2', ids: { anonymous_id: 'a9' } },
      { id: 'e3', ids: { user_id: 'u1', anonymous_id: 'a9' } },
    ],
    check: (g, [, , r3]) => {
      assert.equal(personOf(r3), P('u:u1'));
      assert.deepEqual(
        effectsOf(r3, 'refused_merge').map((e) => [e.reason, e.other_person_id]),
        [['identifier_cap', P('a:a9')]],
      );
      assert.equal(personOfKey(g, 'a:a9'), P('a:a9'));
    },
  },
  {
    name: 'account cap refuses a further membership',
    config: capped,
    events: [
      { id: 'e1', type: 'group', ids: { user_id: 'u1', account_id: 'acme' } },
      { id: 'e2', type: 'group', ids: { user_id: 'u1', account_id: 'globex' } },
      { id: 'e3', ids: { user_id: 'u1' } },
    ],
    check: (_g, [, r2, r3]) => {
      assert.deepEqual(
        effectsOf(r2, 'refused_link').map((e) => [e.reason, e.identifier_type]),
        [['account_cap', 'account']],
      );
      assert.equal(accountOf(r2), ACC('globex'), "the named account is still the event's account");
      assert.equal(accountOf(r3), ACC('acme'));
    },
  },
  {
    name: 'identify after the events it identifies re-attributes them: anonymous and device persons merge into the user',
    events: [
      { id: 'e1', ids: { anonymous_id: 'a1' } },
      { id: 'e2', ids: { device_id: 'd1' } },
      { id: 'e3', ids: { anonymous_id: 'a1', device_id: 'd1' } },
      { id: 'e4', type: 'identify', ids: { user_id: 'u1', device_id: 'd1' } },
    ],
    check: (_g, [r1, r2, r3, r4]) => {
      assert.equal(personOf(r1), P('a:a1'));
      assert.equal(personOf(r2), P('d:d1'));
      assert.equal(personOf(r3), P('a:a1'), 'anonymous_id outranks device_id as anchor');
      assert.deepEqual(
        effectsOf(r3, 'merge').map((m) => [m.absorbed_person_id, m.survivor_person_id]),
        [[P('d:d1'), P('a:a1')]],
      );
      assert.deepEqual(
        effectsOf(r4, 'merge').map((m) => [m.absorbed_person_id, m.survivor_person_id]),
        [[P('a:a1'), P('u:u1')]],
      );
      assert.deepEqual(
        r4?.rows.person_overrides.map((r) => [r.old_person_id, r.person_id]).sort(),
        [
          [P('a:a1'), P('u:u1')],
          [P('d:d1'), P('u:u1')],
        ].sort(),
        'every id the earlier events carry now points at the survivor (no chains)',
      );
    },
  },
  {
    name: 'shared device without a reset: the second user cannot take the anonymous id',
    events: [
      { id: 'e1', type: 'identify', ids: { user_id: 'u1', anonymous_id: 'a1' } },
      { id: 'e2', type: 'identify', ids: { user_id: 'u2', anonymous_id: 'a1' } },
      { id: 'e3', ids: { anonymous_id: 'a1' } },
    ],
    check: (_g, [, r2, r3]) => {
      assert.equal(personOf(r2), P('u:u2'));
      assert.equal(effectsOf(r2, 'refused_merge').length, 1);
      assert.equal(
        personOf(r3),
        P('u:u1'),
        'anonymous events after the switch still go to the first user (documented)',
      );
    },
  },
  {
    name: 'shared device with a reset: a new anonymous id links cleanly to the second user',
    events: [
      { id: 'e1', type: 'identify', ids: { user_id: 'u1', anonymous_id: 'a1', device_id: 'd1' } },
      { id: 'e2', type: 'identify', ids: { user_id: 'u2', anonymous_id: 'a2' } },
      { id: 'e3', ids: { anonymous_id: 'a2', device_id: 'd1' } },
      { id: 'e4', ids: { anonymous_id: 'a1' } },
    ],
    check: (_g, [, r2, r3, r4]) => {
      assert.deepEqual(effectsOf(r2, 'refused_merge'), []);
      assert.equal(personOf(r3), P('u:u2'), 'anonymous_id outranks the shared device');
      assert.equal(effectsOf(r3, 'refused_merge')[0]?.reason, 'distinct_known_users');
      assert.equal(personOf(r4), P('u:u1'));
    },
  },
  {
    name: 'email, billing and ticket keys link into one person and one account',
    events: [
      { id: 'e1', type: 'group', time: T0, ids: { user_id: 'u1', email_hash: 'h1', account_id: 'acme' } },
      {
        id: 'e2',
        source: 'billing',
        type: 'subscription',
        time: T0 + HOUR,
        ids: { billing_customer_id: 'cus_1', email_hash: 'h1', account_id: 'acme' },
      },
      {
        id: 'e3',
        source: 'tickets',
        type: 'ticket',
        time: T0 + 2 * HOUR,
        ids: { ticket_requester_id: 'zd_7', email_hash: 'h1' },
      },
      {
        id: 'e4',
        source: 'surveys',
        type: 'survey',
        time: T0 + 3 * HOUR,
        ids: { crm_id: 'crm_9', ticket_requester_id: 'zd_7' },
      },
      { id: 'e5', type: 'group', time: T0, ids: { user_id: 'u2', account_id: 'acme' } },
    ],
    check: (g, results) => {
      for (const r of results.slice(0, 4)) {
        assert.equal(personOf(r), P('u:u1'));
        assert.equal(accountOf(r), ACC('acme'));
      }
      for (const key of ['b:cus_1', 't:zd_7', 'c:crm_9']) assert.equal(personOfKey(g, key), P('u:u1'));
      assert.equal(personOf(results[4]), P('u:u2'), 'many users per account');
      assert.equal(accountOf(results[4]), ACC('acme'));
      assert.deepEqual(
        effectsOf(results[4], 'account_membership').map((e) => e.account_id),
        [ACC('acme')],
      );
    },
  },
  {
    name: 'primary account: latest explicit group call wins over later implicit mentions; a named account wins for its event',
    events: [
      { id: 'e1', type: 'group', time: T0, ids: { user_id: 'u1', account_id: 'acme' } },
      { id: 'e2', type: 'group', time: T0 + HOUR, ids: { user_id: 'u1', account_id: 'globex' } },
      {
        id: 'e3',
        source: 'tickets',
        type: 'ticket',
        time: T0 + 5 * HOUR,
        ids: { user_id: 'u1', account_id: 'initech' },
      },
      { id: 'e4', time: T0 + 6 * HOUR, ids: { user_id: 'u1' } },
      { id: 'e5', time: T0 + 6 * HOUR, ids: { user_id: 'u1', account_id: 'acme' } },
      { id: 'e6', ids: { user_id: 'u9' } },
    ],
    check: (_g, [, r2, r3, r4, r5, r6]) => {
      assert.deepEqual(
        effectsOf(r2, 'primary_account').map((e) => [e.account_id, e.previous_account_id]),
        [[ACC('globex'), ACC('acme')]],
      );
      assert.deepEqual(effectsOf(r3, 'primary_account'), []);
      assert.equal(accountOf(r3), ACC('initech'));
      assert.equal(accountOf(r4), ACC('globex'));
      assert.equal(accountOf(r5), ACC('acme'));
      assert.equal(accountOf(r6), null, 'no account yet: later stages key by person');
    },
  },
];

describe('resolve', () => {
  for (const scenario of scenarios) {
    it(scenario.name, () => {
      const { g, results } = run(scenario.events, scenario.config);
      scenario.check(g, results);
    });
  }

  it('an event with only an account gets the account and no person', () => {
    const { results } = run([{ id: 'e1', ids: { account_id: 'acme' } }]);
    assert.equal(personOf(results[0]), null);
    assert.equal(accountOf(results[0]), ACC('acme'));
  });

  it('the primary account does not depend on arrival order', () => {
    const events: EventSketch[] = [
      { id: 'e1', type: 'group', time: T0 + 2 * HOUR, ids: { user_id: 'u1', account_id: 'acme' } },
      { id: 'e2', type: 'group', time: T0 + HOUR, ids: { user_id: 'u1', account_id: 'globex' } },
      { id: 'e3', time: T0 + 9 * HOUR, ids: { user_id: 'u1', account_id: 'globex' } },
    ];
    const probe: EventSketch = { id: 'p', time: T0 + 10 * HOUR, ids: { user_id: 'u1' } };
    const forward = run([...events, probe]).results.at(-1);
    const backward = run([...events.reverse(), probe]).results.at(-1);
    assert.equal(accountOf(forward), ACC('acme'));
    assert.equal(accountOf(backward), ACC('acme'));
  });
});
