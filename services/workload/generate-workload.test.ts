// The generator's stream contract: deterministic per seed, in send-time order, late events and
// exact duplicates as configured, the ground truth consistent with the stream, history + live
// one continuous world.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateHistory, generateLive, generateWorkload } from './generate-workload.ts';
import { collect, encodeMessage, streamDigest, T0 } from './workload-test-kit.ts';

const DAY = 86_400_000;

test('the same seed gives the same bytes and the same ground truth', () => {
  const a = generateHistory('tiny', 42, T0);
  const b = generateHistory('tiny', 42, T0);
  assert.equal(streamDigest(collect(a)), streamDigest(collect(b)));
  assert.deepEqual(a.truth(), b.truth());
  assert.equal(JSON.stringify(a.truth()), JSON.stringify(b.truth()));
});

test('different seeds give different streams', () => {
  const a = collect(generateHistory('tiny', 1, T0));
  const b = collect(generateHistory('tiny', 2, T0));
  assert.notEqual(streamDigest(a), streamDigest(b));
});

test('tiny: ~30 accounts and ~3k events', () => {
  const workload = generateHistory('tiny', 42, T0);
  const messages = collect(workload);
  const truth = workload.truth();
  assert.ok(messages.length > 1_500 && messages.length < 5_000, `${messages.length} messages`);
  const accounts = truth.retained.length + truth.trialsExpired.length + truth.churners.length;
  assert.ok(accounts >= 15 && accounts <= 45, `${accounts} accounts`);
});

test('messages come in send-time order; late ones carry an earlier event time', () => {
  const messages = collect(generateHistory('demo', 5, T0));
  let maxEventTime = -Infinity;
  let lateSeen = 0;
  for (let i = 1; i < messages.length; i++) {
    const m = messages[i]!;
    assert.ok(m.sendTimeMs >= messages[i - 1]!.sendTimeMs, `out of order at ${i}`);
    assert.ok(m.eventTimeMs <= m.sendTimeMs);
    if (m.late && m.eventTimeMs < maxEventTime) lateSeen++;
    if (!m.malformed && !m.duplicate) maxEventTime = Math.max(maxEventTime, m.eventTimeMs);
  }
  const late = messages.filter((m) => m.late).length / messages.length;
  assert.ok(late > 0.005 && late < 0.02, `late share ${late}`);
  assert.ok(lateSeen > 0.5 * messages.filter((m) => m.late).length, 'late events arrive after later ones');
  for (const m of messages.filter((x) => x.late)) assert.ok(m.sendTimeMs - m.eventTimeMs <= 30 * 60_000);
});

test('duplicates are byte-identical re-sends of an earlier message with the same event id', () => {
  const messages = collect(generateHistory('demo', 5, T0));
  const firstById = new Map<string, Buffer>();
  let duplicates = 0;
  for (const m of messages) {
    if (m.malformed !== undefined) continue;
    const id = m.eventId as string;
    if (m.duplicate) {
      duplicates++;
      assert.deepEqual(encodeMessage(m), firstById.get(id), `duplicate ${id} differs from its original`);
    } else {
      assert.equal(firstById.has(id), false, `event id ${id} reused by a non-duplicate`);
      firstById.set(id, encodeMessage(m));
    }
  }
  const share = duplicates / messages.length;
  assert.ok(share > 0.002 && share < 0.01, `duplicate share ${share}`);
});

test('the ground truth counts match the stream', () => {
  const workload = generateHistory('demo', 9, T0);
  const messages = collect(workload);
  const truth = workload.truth();
  const valid = messages.filter((m) => !m.malformed && !m.duplicate);
  assert.equal(truth.messages.total, messages.length);
  assert.equal(truth.messages.malformed, messages.filter((m) => m.malformed).length);
  assert.equal(truth.messages.duplicates, messages.filter((m) => m.duplicate).length);
  assert.equal(truth.distinctValidEventIds, new Set(valid.map((m) => m.eventId)).size);
  for (const topic of ['behavior', 'tickets', 'surveys', 'billing'] as const) {
    assert.equal(truth.validEventsByTopic[topic], valid.filter((m) => m.topic === topic).length);
  }
  assert.equal(truth.malformedMessages.length, truth.messages.malformed);
  for (const entry of truth.malformedMessages) assert.equal(messages[entry.index]?.malformed, entry.reason);
  assert.ok(truth.messages.malformed > 0 && truth.messages.malformed < 0.01 * messages.length);
  assert.deepEqual(JSON.parse(JSON.stringify(truth)), truth, 'JSON-serialisable as it is');
});

test('persons: every userId in the stream is a true person holding the ids it was seen with', () => {
  const workload = generateHistory('tiny', 11, T0);
  const messages = collect(workload);
  const { persons, accounts } = workload.truth();
  for (const m of messages) {
    if (m.topic !== 'behavior' || m.malformed || Buffer.isBuffer(m.value)) continue;
    const v = m.value as { userId?: string; anonymousId?: string; context: { device?: { id: string } } };
    if (v.userId === undefined) continue;
    const p = persons[v.userId];
    assert.ok(p, `no true person ${v.userId}`);
    assert.ok(p.anonymousIds.includes(v.anonymousId as string));
    if (v.context.device) assert.ok(p.deviceIds.includes(v.context.device.id));
    assert.ok(accounts[p.accountId]?.members.includes(v.userId));
  }
  const multiDevice = Object.values(persons).filter((p) => p.anonymousIds.length > 1).length;
  assert.ok(multiDevice > 0, 'some users log in from several devices');
});

test('history then live is one continuous stream of the same world', () => {
  const history = collect(generateHistory('tiny', 21, T0));
  const from = T0 + 35 * DAY;
  const live = collect(generateLive('tiny', 21, from, { untilMs: from + 7 * DAY }));
  const longer = collect(
    generateWorkload({ profile: 'tiny', seed: 21, startMs: T0, untilMs: from + 7 * DAY }),
  );
  assert.ok(live.length > 100);
  assert.ok(live.every((m) => m.sendTimeMs >= from && m.sendTimeMs < from + 7 * DAY));
  assert.equal(streamDigest([...history, ...live]), streamDigest(longer));
});
