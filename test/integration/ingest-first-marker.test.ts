// The canonical topic begins with a watermark marker, whatever the timing. An ingest started on
// empty raw topics says nothing of its caught-up partitions until they turn idle; events that came
// before that went to the canonical topic ahead of any marker, and the journey took them for a
// stream without markers (time moving with the events). The single writer and the partitioned
// journey then announced those accounts' stages differently (their states differed in the scale-out
// test, once in ten runs). Each partition's first batch now carries a marker ahead of its events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture } from '../../services/ingest/fixtures/load-fixture.ts';
import { startIngestService } from '../../services/ingest/ingest-service.ts';
import { decodeWatermarkMarker, isWatermarkMarker } from '../../services/shared/kafka/watermark-marker.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { freshPipeline } from '../support/pipeline.ts';
import { testKafka, waitFor } from '../support/stack.ts';

test('the first events of every raw partition reach the canonical topic after a marker of that partition', async (t) => {
  // No idle announcement during the test: only the batches' own markers.
  const { config } = await freshPipeline({ INGEST_IDLE_SECONDS: '600' });
  // The ingest has registered its partitions from their lag, all empty (caught up: nothing said of
  // them), before anything is produced; a backlog at registration would be announced pending, ahead
  // of any event, and this test could not fail.
  const lines: Array<{ msg?: string; caughtUp?: number }> = [];
  const log = createLogger('info', {
    write: (line: string) => void lines.push(JSON.parse(line) as { msg?: string; caughtUp?: number }),
  });
  const ingest = await startIngestService(config, log, createMetrics(false));
  t.after(() => ingest.stop());
  await waitFor(
    'the raw partitions registered, every one caught up',
    () =>
      lines.some((l) => l.msg === 'raw partitions registered from their lag' && (l.caughtUp ?? 0) > 0)
        ? true
        : undefined,
    60_000,
  );
  const kafka = testKafka();
  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  // Segment's documented track call (its times moved to an hour ago), a few times on each behavior
  // partition, once the ingest runs.
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const track = {
    ...loadFixture('segment-track.json'),
    timestamp: at,
    originalTimestamp: at,
    sentAt: at,
    receivedAt: at,
  };
  const sent = [0, 1].flatMap((partition) =>
    [0, 1, 2].map((i) => ({
      partition,
      value: JSON.stringify({ ...track, messageId: `ajs-first-marker-${partition}-${i}` }),
    })),
  );
  await producer.send({ topic: config.TOPIC_BEHAVIOR, messages: sent });

  // The canonical topic read from its start, in order per partition: markers and events.
  type Record = { partition: number; marker: string | null };
  const records: Record[] = [];
  const consumer = kafka.consumer({ groupId: `${config.TOPIC_CANONICAL}-reader`, readUncommitted: false });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topic: config.TOPIC_CANONICAL, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const marker = isWatermarkMarker(message.headers as never)
        ? decodeWatermarkMarker(message.value)
        : null;
      records.push({ partition, marker: marker?.source ?? null });
    },
  });
  await waitFor(
    'every event in the canonical topic',
    () => (records.filter((r) => r.marker === null).length >= sent.length ? true : undefined),
    60_000,
  );
  // Each canonical partition's records in order: the first is a marker.
  for (const partition of new Set(records.map((r) => r.partition))) {
    const ordered = records.filter((r) => r.partition === partition);
    assert.notEqual(ordered[0]!.marker, null, `canonical partition ${partition} begins with a marker`);
  }
  const sources = new Set(records.flatMap((r) => (r.marker ? [r.marker] : [])));
  for (const raw of [0, 1])
    assert.ok(sources.has(`${config.TOPIC_BEHAVIOR}/${raw}`), `a marker of raw partition ${raw}`);
});
