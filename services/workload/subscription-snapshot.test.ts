// Established accounts subscribed before the history: when it starts, each one's subscription is
// sent as it stands, so the pipeline knows its MRR from day one. The ingest stage reads it as MRR
// with no change (delta 0, no kind: neither new nor expansion MRR), and adding it leaves the rest
// of the stream unchanged, message for message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateHistory } from './generate-workload.ts';
import { collect, ingest, T0 } from './workload-test-kit.ts';

const isSnapshot = (eventId: string | undefined): boolean =>
  eventId?.startsWith('billing:evt_snapshot_') === true;

test('every established account sends its subscription at the start: known MRR, no MRR change', async () => {
  const workload = generateHistory('tiny', 3, T0);
  const messages = collect(workload);
  const snapshots = messages.filter((m) => isSnapshot(m.eventId));
  const established = Object.entries(workload.truth().accounts).filter(([, a]) => a.channel === null);
  assert.deepEqual(snapshots.map((m) => m.key).sort(), established.map(([id]) => id).sort());
  for (const m of snapshots) {
    assert.equal(m.eventTimeMs, T0);
    assert.equal(m.duplicate ?? m.malformed ?? m.late, undefined);
    const result = await ingest(m);
    assert.equal(result.kind, 'ok', JSON.stringify(result));
    if (result.kind !== 'ok') continue;
    const event = result.value.event;
    assert.equal(event.event_id, m.eventId);
    assert.ok((event.mrr_cents ?? 0) > 0, `${m.key}: MRR ${event.mrr_cents}`);
    assert.equal(event.mrr_delta_cents, 0);
    assert.equal(event.mrr_change_kind, null);
  }
});

test('the snapshots are the only difference: the rest of the stream is the same message for message', () => {
  const strip = (ms: ReturnType<typeof collect>) =>
    ms.filter((m) => !isSnapshot(m.eventId)).map((m) => JSON.stringify(m));
  const withSnapshots = collect(generateHistory('demo', 5, T0));
  const without = collect(generateHistory('demo', 5, T0, { subscriptionSnapshots: false }));
  assert.equal(withSnapshots.length - without.length, 80);
  assert.deepEqual(strip(withSnapshots), strip(without));
});
