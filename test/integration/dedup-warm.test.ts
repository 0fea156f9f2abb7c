// A duplicate delivery that straddles an ingest restart (issue #14): the new process warms each
// partition's dedup window from the raw messages below the committed offset before it processes
// the partition (services/ingest/warm-dedup-windows.ts), so the duplicate is dropped as it would
// have been by the old process. Negative control: with the warm-up off, the duplicate reaches the
// canonical topic.
import { isWatermarkMarker } from '../../services/shared/kafka/watermark-marker.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { journeyEventType } from '../../services/shared/kafka/canonical-codec.ts';
import { startIngestService } from '../../services/ingest/ingest-service.ts';
import { createKafka } from '../../services/shared/kafka/kafka-client.ts';
import { readPartitionRanges } from '../../services/shared/kafka/read-partition-ranges.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { freshPipeline } from '../support/pipeline.ts';
import { groupSettled, testKafka, waitFor } from '../support/stack.ts';

const log = createLogger('silent');
const canonical = journeyEventType();

async function duplicateAcrossRestart(warmMessages: string): Promise<{ messages: number; distinct: number }> {
  const { config } = await freshPipeline({ TOPIC_PARTITIONS: '1', INGEST_DEDUP_WARM_MESSAGES: warmMessages });
  const producer = testKafka().producer();
  await producer.connect();
  const track = (i: number) => ({
    key: 'warm-user',
    value: JSON.stringify({
      type: 'track',
      messageId: `warm-${i}`,
      userId: 'warm-user',
      event: 'Logged In',
      timestamp: new Date(Date.now() - 3_600_000 + i * 1000).toISOString(),
    }),
  });
  const settled = () =>
    waitFor(
      'the ingest at the end of its input',
      async () => ((await groupSettled(config.INGEST_GROUP_ID, [config.TOPIC_BEHAVIOR])) ? true : undefined),
      60_000,
    );
  try {
    const first = await startIngestService(config, log, createMetrics(false));
    await producer.send({ topic: config.TOPIC_BEHAVIOR, messages: [1, 2, 3, 4, 5].map(track) });
    await settled();
    await first.stop();
    // The producer retries message 3 (its ack was lost) while no ingest runs; message 6 is new.
    await producer.send({ topic: config.TOPIC_BEHAVIOR, messages: [track(3), track(6)] });
    const second = await startIngestService(config, log, createMetrics(false));
    try {
      await settled();
    } finally {
      await second.stop();
    }
  } finally {
    await producer.disconnect();
  }
  const kafka = createKafka(config, 'dedup-warm-reader');
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(config.TOPIC_CANONICAL);
  await admin.disconnect();
  const keys: string[] = [];
  await readPartitionRanges(
    kafka,
    offsets.map((p) => ({
      topic: config.TOPIC_CANONICAL,
      partition: p.partition,
      from: BigInt(p.low),
      to: BigInt(p.high),
    })),
    (record) => {
      if (!isWatermarkMarker(record.headers))
        keys.push((canonical.decode(record.value!, 5).value as { event_id: string }).event_id);
    },
  );
  return { messages: keys.length, distinct: new Set(keys).size };
}

test('a duplicate delivered across an ingest restart is dropped: the new process warms its dedup window', async () => {
  const warmed = await duplicateAcrossRestart('10000');
  assert.deepEqual(warmed, { messages: 6, distinct: 6 });
  // Negative control: without the warm-up the new process passes the duplicate on.
  const cold = await duplicateAcrossRestart('0');
  assert.deepEqual(cold, { messages: 7, distinct: 6 });
});
