// The watermark is the least of the inputs' progress (input-watermarks.ts): the rules, and the
// property they are for — the same events give the same account states and transitions whether
// the raw partitions arrive in time order or as a skewed backlog, one partition days ahead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIdentityGraph } from '../identity/identity-core.ts';
import { confluentFrame, journeyEventType } from '../shared/kafka/canonical-codec.ts';
import { noIdentifiers } from '../ingest/new-journey-event.ts';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { watermarkMarkerMessages } from '../shared/kafka/watermark-marker.ts';
import type { WatermarkMarker } from '../shared/kafka/watermark-marker.ts';
import { applyJourneyChangelog, createAccountStore, flushChangelog } from './account-store.ts';
import type { AccountStore } from './account-store.ts';
import { applyMarker, allInputsIdle, inputWatermark } from './input-watermarks.ts';
import type { InputMarks } from './input-watermarks.ts';
import { DAY_MS } from './account-state.ts';
import { T0, ev } from '../../test/support/journey-test-events.ts';
import { TEST_SCHEMA_ID, replayBatches, rowsOf } from '../../test/support/journey-test-topology.ts';

const marker = (source: string, eventTime: number | null, idle = false): WatermarkMarker => ({
  source,
  eventTime,
  idle,
});

test('the watermark is the least event time of the non-idle raw partitions, minus the lateness', () => {
  const marks: InputMarks = new Map();
  applyMarker(marks, 0, marker('behavior/0', 5_000));
  applyMarker(marks, 0, marker('behavior/1', 9_000));
  assert.equal(inputWatermark(marks, [0], 1_000), 4_000);
  // An idle raw partition holds nobody back.
  applyMarker(marks, 0, marker('behavior/0', 5_000, true));
  assert.equal(inputWatermark(marks, [0], 1_000), 8_000);
  // Its event time never goes back (a restarted ingest knows less at first).
  applyMarker(marks, 0, marker('behavior/1', 7_000));
  assert.equal(marks.get(0)?.get('behavior/1')?.eventTime, 9_000);
  // Every raw partition idle: the greatest event time read decides.
  applyMarker(marks, 0, marker('behavior/1', null, true));
  assert.equal(inputWatermark(marks, [0], 1_000), 8_000);
  assert.ok(allInputsIdle(marks));
});

test('a canonical partition not read since the markers began, or a raw partition before its first event, holds the watermark', () => {
  const marks: InputMarks = new Map();
  applyMarker(marks, 0, marker('behavior/0', 5_000));
  assert.equal(inputWatermark(marks, [0, 1], 0), null, 'partition 1 may still hold older events');
  applyMarker(marks, 1, marker('behavior/0', 3_000));
  assert.equal(inputWatermark(marks, [0, 1], 0), 3_000, 'the least over the canonical partitions');
  applyMarker(marks, 1, marker('billing/0', null));
  assert.equal(inputWatermark(marks, [0, 1], 0), null);
  assert.ok(!allInputsIdle(marks));
});

test('the markers survive a restore from the journey changelog', () => {
  const store = createAccountStore();
  applyMarker(store.inputs, 3, marker('tickets/2', 42));
  store.inputsDirty.add(3);
  const restored = createAccountStore();
  for (const entry of flushChangelog(store)) applyJourneyChangelog(restored, entry.key, entry.value);
  assert.deepEqual(restored.inputs, store.inputs);
});

// --- The same workload, in time order and as a skewed backlog -------------------------------

const type = journeyEventType();

/** A product event of the account's user, not yet resolved to a person or account. */
function login(account: string, name: string, day: number): JourneyEvent {
  return ev(name, day, {
    ids: { ...noIdentifiers(), user_id: `u-${account}`, account_id: account },
    event_id: `${account}-${name}-${day}`,
    person_id: null,
    account_id: null,
  });
}

/** Raw partition k holds its accounts' events in time order: sign-up, then a login a day until the
 * account's last active day (the quiet ones stop early and go at risk). */
function rawPartition(accounts: ReadonlyArray<{ id: string; lastDay: number }>): JourneyEvent[] {
  const events: JourneyEvent[] = [];
  for (let day = 0; day <= 60; day += 0.5) {
    for (const a of accounts) {
      if (day === 0) events.push(login(a.id, 'Signed Up', 0.01));
      if (day <= a.lastDay) events.push(login(a.id, 'Logged In', day + 0.1));
    }
  }
  return events;
}

const RAW: Readonly<Record<string, JourneyEvent[]>> = {
  'behavior/0': rawPartition([
    { id: 'acc_a', lastDay: 60 },
    { id: 'acc_b', lastDay: 25 },
  ]),
  'behavior/1': rawPartition([
    { id: 'acc_c', lastDay: 60 },
    { id: 'acc_d', lastDay: 40 },
  ]),
};

type Chunk = { source: string; from: number; to: number };

/** What the ingest writes to one canonical partition for the chunks, in order: each chunk's events,
 * then (with markers) the source's progress; a drained source is announced idle. */
function canonicalStream(chunks: readonly Chunk[], markers: boolean): ConsumedMessage[] {
  const out: ConsumedMessage[] = [];
  const push = (value: Buffer, headers: Record<string, Buffer>, time: number) =>
    out.push({
      topic: 'canonical',
      partition: 0,
      offset: String(out.length),
      key: null,
      value,
      headers,
      timestampMs: time,
    });
  for (const { source, from, to } of chunks) {
    const events = RAW[source]!.slice(from, to);
    for (const e of events) push(confluentFrame(TEST_SCHEMA_ID, type.toBuffer(e)), {}, e.event_time);
    if (!markers || events.length === 0) continue;
    const drained = to >= RAW[source]!.length;
    const latest = RAW[source]![Math.min(to, RAW[source]!.length) - 1]!.event_time;
    for (const m of watermarkMarkerMessages('canonical', 1, marker(source, latest)))
      push(Buffer.from(m.value as string), { journey_watermark: Buffer.from('1') }, latest);
    if (drained)
      for (const m of watermarkMarkerMessages('canonical', 1, marker(source, latest, true)))
        push(Buffer.from(m.value as string), { journey_watermark: Buffer.from('1') }, latest);
  }
  return out;
}

function replay(stream: readonly ConsumedMessage[]) {
  const accounts: AccountStore = createAccountStore();
  accounts.inputPartitions = [0];
  const state = { graph: createIdentityGraph(), accounts };
  const transitions: string[] = [];
  replayBatches(stream, 50, state, (result) => {
    for (const row of (rowsOf(result).get('stage_transitions') ?? []) as Array<Record<string, unknown>>)
      transitions.push(`${String(row.account_key)} ${String(row.from_stage)}->${String(row.to_stage)}`);
  });
  const stages = Object.fromEntries(
    [...accounts.states]
      .filter(([, s]) => s.kind === 'account')
      .map(([k, s]) => [k, [s.stage, s.stageEntries]]),
  );
  return { stages, transitions: transitions.sort() };
}

/** Both raw partitions side by side, a day's worth at a time: the order the events happened in. */
function inOrder(): Chunk[] {
  const chunks: Chunk[] = [];
  const step = 4;
  const longest = Math.max(RAW['behavior/0']!.length, RAW['behavior/1']!.length);
  for (let i = 0; i < longest; i += step)
    for (const source of ['behavior/0', 'behavior/1']) chunks.push({ source, from: i, to: i + step });
  return chunks;
}

/** The first ten days of both, then all of partition 0 (50 days ahead), then the rest of 1. */
function skewed(): Chunk[] {
  const tenDays = RAW['behavior/0']!.findIndex((e) => e.event_time > T0 + 10 * DAY_MS);
  return [
    { source: 'behavior/0', from: 0, to: tenDays },
    { source: 'behavior/1', from: 0, to: tenDays },
    { source: 'behavior/0', from: tenDays, to: Infinity },
    { source: 'behavior/1', from: tenDays, to: Infinity },
  ];
}

test('a skewed backlog ends in the same account states and transitions as the same events in time order', () => {
  const ordered = replay(canonicalStream(inOrder(), true));
  const backlog = replay(canonicalStream(skewed(), true));
  assert.ok(
    ordered.transitions.some((t) => t.endsWith('->churn-risk')),
    `the quiet accounts go at risk: ${ordered.transitions.join(', ')}`,
  );
  assert.deepEqual(backlog.stages, ordered.stages);
  assert.deepEqual(backlog.transitions, ordered.transitions);
});

test('without markers (the greatest event time read) the same backlog flaps: what the markers prevent', () => {
  const ordered = replay(canonicalStream(inOrder(), false));
  const backlog = replay(canonicalStream(skewed(), false));
  const atRisk = (transitions: readonly string[]) =>
    transitions.filter((t) => t.endsWith('->churn-risk')).length;
  assert.ok(
    atRisk(backlog.transitions) > atRisk(ordered.transitions),
    `accounts behind are declared at risk: ${atRisk(backlog.transitions)} entries, in order ${atRisk(ordered.transitions)}`,
  );
});

test('the markers list every raw partition: one not heard of yet holds the watermark, one no longer read is forgotten', () => {
  const marks: InputMarks = new Map();
  applyMarker(marks, 0, { ...marker('behavior/0', 5_000), inputs: { behavior: 2, old: 1 } });
  assert.equal(inputWatermark(marks, [0], 0), null, 'behavior/1: another ingest instance, not heard of yet');
  applyMarker(marks, 0, marker('behavior/1', null, true));
  assert.equal(inputWatermark(marks, [0], 0), null, 'old/0 not heard of either');
  applyMarker(marks, 0, { ...marker('behavior/0', 6_000), inputs: { behavior: 2 } });
  assert.equal(inputWatermark(marks, [0], 0), 6_000, 'the topic no longer read is forgotten');
  assert.deepEqual([...marks.get(0)!.keys()].sort(), ['behavior/0', 'behavior/1']);
});
