// The changelog restores the graph: restore(changelog(history)) describes the same state as the
// graph that produced it — from the full log, from the compacted log, and from a dump.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deletePerson } from './delete-person.ts';
import { describeIdentityGraph } from './describe-identity-graph.ts';
import { forceMerge } from './force-merge-persons.ts';
import { DEFAULT_IDENTITY_CONFIG } from './identity-config.ts';
import { checkpointRecord, dumpChangelog, restoreIdentityGraph } from './identity-changelog.ts';
import { applyChangelogRecord } from './identity-changelog.ts';
import {
  decodeChangelogRecord,
  encodeChangelogRecord,
  type ChangelogMessage,
  type ChangelogRecord,
} from './identity-changelog-record.ts';
import { createIdentityGraph } from './identity-graph.ts';
import { personIdFor } from './identity-hash.ts';
import { journeyEvent, type EventSketch } from './journey-event-fixture.ts';
import { resolve } from './resolve-identity.ts';
import { splitIdentifier } from './split-identifier.ts';

const T0 = 1_700_000_000_000;

/** Keeps the latest value per key, in the order of the latest offsets: what log compaction leaves. */
export function compact(messages: readonly ChangelogMessage[]): ChangelogMessage[] {
  const latest = new Map<string, number>();
  messages.forEach((m, offset) => latest.set(m.key, offset));
  return messages.filter((m, offset) => latest.get(m.key) === offset && m.value !== null);
}

const decodeAll = (messages: readonly ChangelogMessage[]): ChangelogRecord[] =>
  messages.map((m) => {
    const decoded = decodeChangelogRecord(m);
    assert.equal(decoded.kind, 'ok', JSON.stringify(m));
    return (decoded as { record: ChangelogRecord }).record;
  });

function history() {
  const g = createIdentityGraph(2);
  const log: ChangelogRecord[] = [];
  const sketches: EventSketch[] = [
    { id: 'e1', ids: { anonymous_id: 'a1', device_id: 'd1' } },
    { id: 'e2', type: 'group', ids: { anonymous_id: 'a1', account_id: 'acme' } },
    { id: 'e3', type: 'identify', ids: { user_id: 'u1', anonymous_id: 'a1', email_hash: 'h1' } },
    { id: 'e4', type: 'identify', ids: { user_id: 'u2', anonymous_id: 'a2', device_id: 'd1' } },
    {
      id: 'e5',
      source: 'billing',
      type: 'invoice',
      ids: { billing_customer_id: 'cus_1', email_hash: 'h1', account_id: 'globex' },
    },
    { id: 'e6', ids: { user_id: 'u3', anonymous_id: 'a3' } },
    { id: 'e7', ids: { anonymous_id: 'a4', device_id: 'd4' } },
  ];
  sketches.forEach((s, i) =>
    log.push(
      ...resolve(g, journeyEvent({ time: T0 + i * 3_600_000, ...s }), T0 + i, DEFAULT_IDENTITY_CONFIG)
        .changelog,
    ),
  );
  log.push(
    ...forceMerge(
      g,
      { command_id: 'c1', person_id: personIdFor('u:u1'), other_person_id: personIdFor('u:u2') },
      T0 + 10,
    ).changelog,
  );
  log.push(
    ...splitIdentifier(g, { command_id: 'c2', identifier_type: 'anonymous_id', value: 'a1' }, T0 + 11)
      .changelog,
  );
  log.push(
    ...splitIdentifier(g, { command_id: 'c3', identifier_type: 'anonymous_id', value: 'a4' }, T0 + 12)
      .changelog,
  );
  log.push(...deletePerson(g, { command_id: 'c4', person_id: personIdFor('u:u3') }, T0 + 13).changelog);
  log.push(
    ...resolve(
      g,
      journeyEvent({ id: 'e8', ids: { user_id: 'u1', device_id: 'd9' } }),
      T0 + 14,
      DEFAULT_IDENTITY_CONFIG,
    ).changelog,
  );
  for (const record of [checkpointRecord(0, '41'), checkpointRecord(3, '7'), checkpointRecord(0, '57')]) {
    applyChangelogRecord(g, record);
    log.push(record);
  }
  return { g, log };
}

describe('identity changelog', () => {
  it('restore(full changelog) == state', () => {
    const { g, log } = history();
    const restored = restoreIdentityGraph(log);
    assert.deepEqual(describeIdentityGraph(restored), describeIdentityGraph(g));
    assert.deepEqual(
      [...restored.checkpoints],
      [
        [0, '57'],
        [3, '7'],
      ],
      'restore resumes after the last checkpoint',
    );
  });

  it('restore(compacted wire changelog) == state', () => {
    const { g, log } = history();
    const restored = restoreIdentityGraph(decodeAll(compact(log.map(encodeChangelogRecord))));
    assert.deepEqual(describeIdentityGraph(restored), describeIdentityGraph(g));
  });

  it('restore(dump) == state, and a restored graph keeps resolving like the original', () => {
    const { g } = history();
    const restored = restoreIdentityGraph(dumpChangelog(g));
    assert.deepEqual(describeIdentityGraph(restored), describeIdentityGraph(g));
    const probe = journeyEvent({ id: 'p', ids: { anonymous_id: 'a2', device_id: 'd1', email_hash: 'h1' } });
    const a = resolve(g, probe, T0 + 99, DEFAULT_IDENTITY_CONFIG);
    const b = resolve(restored, probe, T0 + 99, DEFAULT_IDENTITY_CONFIG);
    assert.deepEqual([b.outcome, b.effects], [a.outcome, a.effects]);
  });

  it('the history exercised every record kind', () => {
    const kinds = new Set(
      history().log.map((r) => `${r.kind}:${encodeChangelogRecord(r).value === null ? 'null' : 'value'}`),
    );
    assert.deepEqual([...kinds].sort(), [
      'checkpoint:value',
      'membership:null',
      'membership:value',
      'node:null',
      'node:value',
      'tombstone:value',
    ]);
  });

  it('decoding rejects unreadable records instead of throwing', () => {
    for (const message of [
      { key: 'n:u:1', value: '{' },
      { key: 'n:u:1', value: '{"p":1}' },
      { key: 'm:p_1', value: '[["a","b",1]]' },
      { key: 'x:abc', value: null },
      { key: 'o:zero', value: '{"o":"1"}' },
      { key: 'o:1', value: '{"o":1}' },
      { key: 'q:zzz', value: '{}' },
    ]) {
      assert.equal(decodeChangelogRecord(message).kind, 'invalid', message.key);
    }
  });
});
