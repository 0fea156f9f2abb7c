// The generated stream against the real ingest steps: every valid message normalises to the
// event id the generator announced, every malformed one is dead-lettered with its tagged reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateHistory } from './generate-workload.ts';
import { MALFORMED_KINDS } from './malformed-messages.ts';
import { collect, ingest, T0 } from './workload-test-kit.ts';

test('tiny: valid messages normalise to their announced event id, malformed ones get their DLQ reason', async () => {
  // A high malformed share so every kind shows up in a tiny stream.
  const messages = collect(
    generateHistory('tiny', 7, T0, { malformedShare: 0.05, jsonShareOfAvroTopics: 0.3 }),
  );
  const reasons = new Map<string, number>();
  let valid = 0;
  for (const m of messages) {
    const result = await ingest(m);
    if (m.malformed !== undefined) {
      assert.equal(result.kind, 'dlq', `malformed ${m.malformed} was accepted`);
      if (result.kind === 'dlq') assert.equal(result.reason, m.malformed, result.detail);
      reasons.set(m.malformed, (reasons.get(m.malformed) ?? 0) + 1);
      continue;
    }
    assert.equal(result.kind, 'ok', `${m.topic} ${m.encoding}: ${JSON.stringify(result)}`);
    if (result.kind === 'ok') assert.equal(result.value.event.event_id, m.eventId);
    valid++;
  }
  assert.ok(valid > 1_000);
  const expected = new Set(MALFORMED_KINDS.map((k) => k.reason));
  assert.deepEqual(new Set(reasons.keys()), expected, 'every malformed kind appears');
});

test('demo: both encodings of every topic pass the ingest stage', async () => {
  const seen = new Set<string>();
  for (const m of generateHistory('demo', 3, T0).messages) {
    if (m.malformed !== undefined || seen.has(`${m.topic}/${m.encoding}`)) continue;
    const result = await ingest(m);
    assert.equal(result.kind, 'ok', `${m.topic} ${m.encoding}: ${JSON.stringify(result)}`);
    seen.add(`${m.topic}/${m.encoding}`);
    if (seen.size === 7) break;
  }
  assert.deepEqual([...seen].sort(), [
    'behavior/json',
    'billing/avro',
    'billing/json',
    'surveys/avro',
    'surveys/json',
    'tickets/avro',
    'tickets/json',
  ]);
});
