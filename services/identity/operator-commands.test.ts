// Operator commands: force-merge, split, delete (GDPR). Each reads as the explanation of what
// the command guarantees to later stages.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deletePerson } from './delete-person.ts';
import { personOfKey } from './describe-identity-graph.ts';
import { forceMerge } from './force-merge-persons.ts';
import { DEFAULT_IDENTITY_CONFIG } from './identity-config.ts';
import type { ResolveResult } from './identity-effects.ts';
import { createIdentityGraph, type IdentityGraph } from './identity-graph.ts';
import { personIdFor } from './identity-hash.ts';
import { journeyEvent, type EventSketch } from './journey-event-fixture.ts';
import { resolve } from './resolve-identity.ts';
import { splitIdentifier } from './split-identifier.ts';

const P = (key: string): string => personIdFor(key);
const T0 = 1_700_000_000_000;
const feed = (g: IdentityGraph, sketch: EventSketch): ResolveResult =>
  resolve(g, journeyEvent({ time: T0, ...sketch }), T0, DEFAULT_IDENTITY_CONFIG);
const personOf = (r: ResolveResult): string | null =>
  r.outcome.kind === 'resolved' ? r.outcome.event.person_id : null;

describe('forceMerge', () => {
  it('merges two known users; the survivor is the anchor rule, whichever is named first', () => {
    for (const [a, b] of [
      ['u:u1', 'u:u2'],
      ['u:u2', 'u:u1'],
    ] as const) {
      const g = createIdentityGraph();
      feed(g, { id: 'e1', ids: { user_id: 'u1', anonymous_id: 'a1' } });
      feed(g, { id: 'e2', type: 'group', ids: { user_id: 'u2', account_id: 'acme' } });
      const result = forceMerge(g, { command_id: 'c1', person_id: P(a), other_person_id: P(b) }, T0 + 1);
      assert.deepEqual(result.outcome, { kind: 'applied' });
      assert.deepEqual(
        result.effects.map((e) =>
          e.kind === 'merge' ? [e.absorbed_person_id, e.survivor_person_id, e.reason] : e.kind,
        ),
        [[P('u:u2'), P('u:u1'), 'force_merge']],
      );
      assert.equal(personOfKey(g, 'u:u2'), P('u:u1'));
      assert.equal(feed(g, { id: 'e3', ids: { user_id: 'u2' } }).outcome.kind === 'resolved', true);
      const after = feed(g, { id: 'e4', ids: { user_id: 'u1' } });
      assert.equal(
        after.outcome.kind === 'resolved' && after.outcome.event.account_id !== null,
        true,
        'memberships move too',
      );
    }
  });

  it('rejects unknown and identical persons without changing anything', () => {
    const g = createIdentityGraph();
    feed(g, { id: 'e1', ids: { user_id: 'u1' } });
    const unknown = forceMerge(g, { command_id: 'c1', person_id: P('u:u1'), other_person_id: 'p_nope' }, T0);
    assert.deepEqual(unknown.outcome, { kind: 'rejected', reason: 'unknown_person' });
    const same = forceMerge(g, { command_id: 'c2', person_id: P('u:u1'), other_person_id: P('u:u1') }, T0);
    assert.deepEqual(same.outcome, { kind: 'rejected', reason: 'same_person' });
    assert.deepEqual([unknown.changelog, same.changelog], [[], []]);
  });
});

describe('splitIdentifier', () => {
  it('detaches a device into its own pinned person; automatic links never pull it back', () => {
    const g = createIdentityGraph();
    feed(g, { id: 'e1', ids: { user_id: 'u1', device_id: 'd1' } });
    feed(g, { id: 'e2', ids: { user_id: 'u1', device_id: 'd2' } });
    const result = splitIdentifier(
      g,
      { command_id: 'c1', identifier_type: 'device_id', value: 'd2' },
      T0 + 1,
    );
    assert.deepEqual(result.outcome, { kind: 'applied' });
    const split = result.effects.find((e) => e.kind === 'split');
    assert.deepEqual(split && [split.person_id, split.from_person_id, split.remainder_person_id], [
      P('d:d2'),
      P('u:u1'),
      P('u:u1'),
    ]);
    assert.equal(personOfKey(g, 'd:d2'), P('d:d2'));
    assert.deepEqual(
      result.rows.identity_map.map((r) => [r.identifier_key, r.person_id]),
      [['d:d2', P('d:d2')]],
    );
    const again = feed(g, { id: 'e3', ids: { user_id: 'u1', device_id: 'd2' } });
    assert.equal(personOf(again), P('u:u1'));
    assert.deepEqual(
      again.effects.filter((e) => e.kind === 'refused_merge').map((e) => e.reason),
      ['split_pinned'],
    );
    assert.equal(personOfKey(g, 'd:d2'), P('d:d2'));
  });

  it('splitting the anchor gives the remainder the id of its next anchor', () => {
    const g = createIdentityGraph();
    feed(g, { id: 'e1', ids: { anonymous_id: 'a1', device_id: 'd1' } });
    const result = splitIdentifier(g, { command_id: 'c1', identifier_type: 'anonymous_id', value: 'a1' }, T0);
    const split = result.effects.find((e) => e.kind === 'split');
    assert.deepEqual(split && [split.person_id, split.remainder_person_id], [P('a:a1'), P('d:d1')]);
  });

  it('rejects an unknown identifier and one already alone', () => {
    const g = createIdentityGraph();
    feed(g, { id: 'e1', ids: { user_id: 'u1' } });
    assert.deepEqual(
      splitIdentifier(g, { command_id: 'c', identifier_type: 'user_id', value: 'u1' }, T0).outcome,
      {
        kind: 'rejected',
        reason: 'already_alone',
      },
    );
    assert.deepEqual(
      splitIdentifier(g, { command_id: 'c', identifier_type: 'user_id', value: 'zz' }, T0).outcome,
      {
        kind: 'rejected',
        reason: 'unknown_identifier',
      },
    );
  });
});

describe('deletePerson', () => {
  it('removes every identifier, suppresses replays of old events, and lets genuinely new activity start over', () => {
    const g = createIdentityGraph();
    feed(g, { id: 'e1', ids: { anonymous_id: 'a1' } });
    feed(g, { id: 'e2', type: 'identify', ids: { user_id: 'u1', anonymous_id: 'a1', email_hash: 'h1' } });
    const deletedAt = T0 + 1000;
    const result = deletePerson(g, { command_id: 'gdpr-1', person_id: P('u:u1') }, deletedAt);
    assert.deepEqual(result.outcome, { kind: 'applied' });
    const deletion = result.effects.find((e) => e.kind === 'deletion');
    assert.deepEqual(deletion?.retired_person_ids, [P('a:a1'), P('u:u1')].sort());
    assert.equal(deletion?.identifier_count, 3);
    assert.equal(g.nodeIndex.size, 0);
    assert.equal(
      result.rows.identity_map.every((r) => r.is_deleted === 1),
      true,
    );
    assert.equal(result.changelog.filter((r) => r.kind === 'tombstone').length, 3);
    assert.equal(
      JSON.stringify(result.changelog).includes('h1') &&
        result.changelog.some((r) => r.kind === 'tombstone' && r.hash.includes('h1')),
      false,
    );

    for (const ids of [{ anonymous_id: 'a1' }, { email_hash: 'h1', device_id: 'd7' }]) {
      const replay = feed(g, { id: 'old', time: T0, ids });
      assert.deepEqual(replay.outcome, { kind: 'suppressed', reason: 'deleted_identity', event_id: 'old' });
      assert.deepEqual(replay.changelog, []);
    }
    assert.equal(g.nodeIndex.size, 0, 'suppressed events create nothing');

    const comeback = feed(g, { id: 'new', time: deletedAt + 1, ids: { user_id: 'u1' } });
    assert.equal(personOf(comeback), P('u:u1'));
  });

  it('rejects an unknown person', () => {
    const g = createIdentityGraph();
    assert.deepEqual(deletePerson(g, { command_id: 'c', person_id: 'p_x' }, T0).outcome, {
      kind: 'rejected',
      reason: 'unknown_person',
    });
  });
});
