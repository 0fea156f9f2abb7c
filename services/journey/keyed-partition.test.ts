// A state partition's hold, around a GDPR deletion: a key waiting for a handover holds an event of
// the person deleted meanwhile. The forget erases at once (rows already stored), and again when the
// held event is replayed after the handover, so the replayed event's rows are left out and erased
// (found in review: with one erasure they were inserted after it and named the person again).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersonErasure } from '../identity/person-erasure.ts';
import { loadChurnConfig } from '../churn/churn-config-file.ts';
import { b2b, ev } from '../../test/support/journey-test-events.ts';
import { emptyStepOutput } from './apply-journey-step.ts';
import { memberKey } from './bounded-sets.ts';
import { applyResolvedRecord, createKeyedPartition } from './keyed-partition.ts';
import type { KeyedStep } from './keyed-partition.ts';
import { applyKeyedChangelog, finishKeyedRestore, flushKeyedChangelog } from './keyed-partition-changelog.ts';

const churn = loadChurnConfig('config/churn.yaml');
if (!churn.ok) throw new Error(churn.problems.join('; '));

test('a held key replays a forget with its erasure, after the events it held', () => {
  const erasures: PersonErasure[][] = [];
  let current: PersonErasure[] = [];
  const step: KeyedStep = {
    ctx: { map: b2b, churn: churn.config },
    sweepIntervalMs: 3_600_000,
    out: emptyStepOutput(),
    send: () => undefined,
    erase: (e) => current.push(e),
  };
  const batch = (run: () => void): void => {
    current = [];
    run();
    erasures.push(current);
  };
  const erasure: PersonErasure = { command_id: 'gdpr-1', person_ids: ['q1'], identifier_keys: ['u:q'] };
  let p = createKeyedPartition();
  batch(() => {
    applyResolvedRecord(p, { kind: 'expect', key: 'acc_1', from: 'p0', toKind: 'account' }, step);
    applyResolvedRecord(
      p,
      { kind: 'event', key: 'acc_1', event: ev('Logged In', 1, { person_id: 'q1' }) },
      step,
    );
    applyResolvedRecord(p, { kind: 'forget', erasure }, step);
  });
  assert.deepEqual(erasures[0], [erasure], 'the forget erases at once');
  assert.equal(p.waiting.get('acc_1')?.held.length, 2, 'the event and the forget are held');

  // Restored from its changelog in between: the held forget keeps its erasure.
  const restored = createKeyedPartition();
  for (const e of flushKeyedChangelog(p)) applyKeyedChangelog(restored, e.key, e.value);
  p = finishKeyedRestore(restored);

  batch(() => applyResolvedRecord(p, { kind: 'handover', key: 'acc_1', from: 'p0', state: null }, step));
  assert.deepEqual(erasures[1], [erasure], 'replayed, the forget erases again in the same batch');
  const state = p.store.states.get('acc_1');
  assert.ok(state, 'the held event was applied');
  assert.ok(!(memberKey('q1') in state.members), 'and the person forgotten after it');
  assert.equal(p.waiting.size, 0);
});

// A key with a re-score waiting for the inputs (rescore-account.ts) that is itself waiting for a
// handover when the inputs reach it: the single writer re-scores it at that marker, before its
// later records, so the partition does it when the handover comes, before anything else it holds
// — also after a restart from the changelog in between.
test('a re-score that falls due while its key waits for a handover runs when the handover comes', () => {
  const step: KeyedStep = {
    ctx: { map: b2b, churn: churn.config },
    sweepIntervalMs: Number.MAX_SAFE_INTEGER, // no sweep: the marker alone brings the re-score due
    out: emptyStepOutput(),
    send: () => undefined,
    erase: () => undefined,
  };
  const marker = (eventTime: number | null) => ({
    kind: 'marker' as const,
    origin: 0,
    marker: { source: 'billing/0', eventTime, idle: false, inputs: { billing: 1 } },
  });
  const failed = ev('invoice.payment_failed', 3, { source: 'billing', type: 'invoice' });
  let p = createKeyedPartition();
  applyResolvedRecord(p, marker(null), step);
  const events = [
    ev('Signed Up', 0),
    ev('customer.subscription.created', 1, { source: 'billing', type: 'subscription', mrr_cents: 4900 }),
    failed,
  ];
  for (const event of events) applyResolvedRecord(p, { kind: 'event', key: 'acc_1', event }, step);
  assert.deepEqual(
    p.store.states.get('acc_1')?.rescoresDue,
    events.slice(1).map((e) => e.event_time),
    'the billing events wait for the inputs (the sign-up makes no customer: nothing to score)',
  );
  applyResolvedRecord(p, { kind: 'expect', key: 'acc_1', from: 'p0', toKind: 'account' }, step);
  applyResolvedRecord(p, marker(failed.event_time), step);
  assert.equal(step.out.scores.length, 0, 'held: not re-scored while it waits for the handover');
  assert.equal(p.waiting.get('acc_1')?.reached, failed.event_time);

  const restored = createKeyedPartition();
  for (const e of flushKeyedChangelog(p)) applyKeyedChangelog(restored, e.key, e.value);
  p = finishKeyedRestore(restored);
  applyResolvedRecord(p, { kind: 'handover', key: 'acc_1', from: 'p0', state: null }, step);
  assert.deepEqual(
    step.out.scores.map((s) => s.score.scoredAt),
    [events[1]!.event_time, failed.event_time],
    'scored as of the subscription (a customer from then) and of the failed payment, when the handover came',
  );
  assert.deepEqual(p.store.states.get('acc_1')?.rescoresDue, []);
});
