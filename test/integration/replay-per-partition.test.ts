// After a restore, the journey leaves out replayed events that ClickHouse already has — per
// canonical partition (services/journey/replay-window.ts; issue #14, item 11). The previous owner
// inserted an event of partition 1 (resolved then to another account) and died before committing.
// The new owner's first batch comes from partition 0 and has nothing stored; before the fix that
// ended the filtering for every partition, the event of partition 1 was inserted again under its
// new account — another sort key of journey_events, so FINAL kept both rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confluentFrame, journeyEventType } from '../../services/shared/kafka/canonical-codec.ts';
import { registerCanonicalSchema } from '../../services/ingest/ingest-service.ts';
import { ev } from '../support/journey-test-events.ts';
import { startJourneyService } from '../../services/journey/journey-service.ts';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { journeyEventRow } from '../../services/sink/rows/event-rows.ts';
import { freshPipeline } from '../support/pipeline.ts';
import { groupSettled, testKafka, waitFor } from '../support/stack.ts';

test('a replayed event of a partition whose filtering has not ended is not stored twice', async (t) => {
  // Two canonical partitions (TOPIC_CANONICAL_PARTITIONS): the replay interleaves them.
  const { config } = await freshPipeline({
    TOPIC_PARTITIONS: '2',
    TOPIC_CANONICAL_PARTITIONS: '2',
    // The single writer's per-canonical-partition replay filter.
    JOURNEY_TOPOLOGY: 'single',
  });
  const clickhouse = createClickHouse(config);
  t.after(() => clickhouse.close());
  const type = journeyEventType();
  const schemaId = await registerCanonicalSchema(config);
  const ids = (account: string) => ({ ...ev('x', 0).ids, user_id: `user-${account}`, account_id: account });
  const first = ev('Logged In', 1, { ids: ids('acc-p0') });
  const replayed = ev('Logged In', 2, { ids: ids('acc-new') });
  // What the killed owner inserted without committing: the partition-1 event, another account.
  await clickhouse.insert({
    table: 'journey_events',
    values: [{ ...journeyEventRow({ ...replayed, person_id: 'p-old', account_id: 'acc-old' }) }],
    format: 'JSONEachRow',
  });

  const journey = await startJourneyService(config, createLogger('silent'), createMetrics(false));
  t.after(() => journey.stop());
  const producer = testKafka().producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  const send = async (partition: number, event: typeof first): Promise<void> => {
    await producer.send({
      topic: config.TOPIC_CANONICAL,
      messages: [{ partition, key: event.event_id, value: confluentFrame(schemaId, type.toBuffer(event)) }],
    });
    await waitFor(
      `partition ${partition} processed`,
      async () =>
        (await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_CANONICAL])) ? true : undefined,
      60_000,
    );
  };
  await send(0, first); // nothing stored: partition 0's replay is over
  await send(1, replayed); // partition 1's is not

  const rows = await (
    await clickhouse.query({
      query: 'SELECT event_id, account_id FROM journey_events FINAL ORDER BY event_id',
      format: 'JSONEachRow',
    })
  ).json<{ event_id: string; account_id: string }>();
  assert.deepEqual(
    rows.map((r) => r.event_id),
    [first.event_id, replayed.event_id],
    `rows: ${JSON.stringify(rows)}`,
  );
});
