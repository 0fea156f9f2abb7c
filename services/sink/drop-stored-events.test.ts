// dropStoredEvents on the real ClickHouse engine (chdb): a replayed batch's events that are stored
// already are left out, the others kept — with more ids than one query carries (the ids travel
// as a URL parameter, so they are sent in chunks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createChdbTestClient } from '../../test/support/chdb-test-client.ts';
import { migrate } from './migrate.ts';
import { dropStoredEvents } from './drop-stored-events.ts';

const client = createChdbTestClient();
const db = 'dropstored1';

test('stored events are left out of a replayed batch, in chunks of ids', async () => {
  await migrate(client, { database: db, retentionDays: 3650 });
  const row = (i: number) => ({
    event_id: `behavior:replayed-event-with-a-long-id-${i}`,
    source: 'behavior',
    type: 'track',
    name: 'X',
    event_time: '2026-11-01 09:00:00.000',
    received_time: '2026-11-01 09:00:00.000',
    properties: '{}',
  });
  const batch = Array.from({ length: 700 }, (_, i) => row(i));
  // The killed owner inserted the first 450 before it could commit.
  await client.insert({ table: `${db}.journey_events`, values: batch.slice(0, 450), format: 'JSONEachRow' });
  const kept = await dropStoredEvents(client, db, batch);
  assert.equal(kept.stored, 450);
  assert.deepEqual(
    kept.rows.map((r) => r.event_id),
    batch.slice(450).map((r) => r.event_id),
  );
  const none = await dropStoredEvents(client, db, batch.slice(450));
  assert.equal(none.stored, 0);
  assert.equal(none.rows.length, 250);
  await assert.rejects(dropStoredEvents(client, 'x; DROP TABLE y', batch), /invalid database name/);
});
