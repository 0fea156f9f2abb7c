// No silent skips (issue #14): the broker's time retention never deletes what the pipeline has not
// consumed because a producer stamped old event times, and an offset the broker did delete is
// never skipped silently — the partition stops, the lost range is reported, nothing is committed.
import { isWatermarkMarker } from '../../services/shared/kafka/watermark-marker.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pipelineTopics } from '../../services/shared/kafka/pipeline-topics.ts';
import { startIngestService } from '../../services/ingest/ingest-service.ts';
import { runBatchConsumer } from '../../services/shared/kafka/batch-consumer.ts';
import { ensureTopics, topicConfigEntries } from '../../services/shared/kafka/topics.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { freshPipeline } from '../support/pipeline.ts';
import { groupSettled, testKafka, uniqueName, waitFor } from '../support/stack.ts';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const log = createLogger('silent');

async function logStart(topic: string): Promise<bigint> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const [p] = await admin.fetchTopicOffsets(topic);
    return BigInt(p!.low);
  } finally {
    await admin.disconnect();
  }
}

const track = (i: number, eventTime: number): string =>
  JSON.stringify({
    type: 'track',
    messageId: `old-${i}`,
    userId: `user-${i % 7}`,
    event: 'Logged In',
    timestamp: new Date(eventTime).toISOString(),
    sentAt: new Date(eventTime).toISOString(),
    receivedAt: new Date(eventTime).toISOString(),
  });

test('weeks-old event times: the broker retention deletes them on a CreateTime topic, never on the pipeline topics', async (t) => {
  const { config } = await freshPipeline({ TOPIC_PARTITIONS: '1' });
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  // Small segments on the pipeline's own raw-topic spec, and on a control topic that differs only
  // in keeping the producer's CreateTime: retention deletes closed segments only.
  const rawSpec = {
    ...pipelineTopics(config).find((s) => s.topic === config.TOPIC_BEHAVIOR)!,
    segmentBytes: 8192,
  };
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: 2, name: rawSpec.topic, configEntries: topicConfigEntries(rawSpec) }],
  });
  const control = uniqueName('createtime');
  await ensureTopics(kafka, [{ topic: control, partitions: 1, retentionMs: WEEK_MS, segmentBytes: 8192 }]);

  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  const n = 200;
  const eventTime = Date.now() - 21 * DAY_MS;
  for (let i = 0; i < n; i += 10) {
    for (const topic of [rawSpec.topic, control]) {
      await producer.send({
        topic,
        messages: Array.from({ length: 10 }, (_, k) => ({
          value: track(i + k, eventTime),
          timestamp: String(eventTime), // as backfills, connectors and replays stamp them
        })),
      });
    }
  }
  // The broker's retention check ran: the control topic lost its closed segments ...
  await waitFor('the retention check to delete the CreateTime topic', async () =>
    (await logStart(control)) > 0n ? true : undefined,
  );
  // ... and kept every message of the pipeline's raw topic (LogAppendTime).
  assert.equal(await logStart(rawSpec.topic), 0n);

  // The backlog is consumed whole: every message becomes a canonical event.
  const ingest = await startIngestService(config, log, createMetrics(false));
  t.after(() => ingest.stop());
  await waitFor(
    'the ingest group to consume the backlog',
    async () => ((await groupSettled(config.INGEST_GROUP_ID, [rawSpec.topic])) ? true : undefined),
    60_000,
  );
  const [canonical] = await admin.fetchTopicOffsets(config.TOPIC_CANONICAL);
  // n events plus one transaction marker per committed batch.
  assert.ok(BigInt(canonical!.high) >= BigInt(n), `canonical high watermark ${canonical!.high}`);
  const seen = new Set<string>();
  const consumer = kafka.consumer({ groupId: uniqueName('count'), readUncommitted: false });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topic: config.TOPIC_CANONICAL, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!isWatermarkMarker(message.headers)) seen.add(message.offset);
    },
  });
  await waitFor('every event in the canonical topic', () => (seen.size >= n ? true : undefined));
  assert.equal(seen.size, n);
  assert.equal(await logStart(rawSpec.topic), 0n);
});

test('an offset the broker deleted before it was consumed stops the partition with the lost range; kafkajs alone would skip it', async (t) => {
  const kafka = testKafka();
  const topic = uniqueName('lost');
  await ensureTopics(kafka, [{ topic, partitions: 1, logAppendTime: true }]);
  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  const produce = (from: number, to: number) =>
    producer.send({
      topic,
      messages: Array.from({ length: to - from }, (_, i) => ({ value: `m${from + i}` })),
    });
  const groupId = uniqueName('guarded');
  const start = async (seen: string[]) =>
    runBatchConsumer({
      kafka,
      groupId,
      topics: [topic],
      stage: 'test',
      log,
      metrics: createMetrics(false),
      handler: async (batch) => void seen.push(...batch.messages.map((m) => m.offset)),
    });

  await produce(0, 10);
  const first: string[] = [];
  const before = await start(first);
  await waitFor('offsets 0..9 committed', async () =>
    (await groupSettled(groupId, [topic])) ? true : undefined,
  );
  await before.stop();

  // While the group is away, the broker deletes offsets 10..14 (as retention would).
  await produce(10, 20);
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.fetchTopicMetadata({ topics: [topic] });
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '15' }] });

  const second: string[] = [];
  const after = await start(second);
  t.after(() => after.stop());
  const problem = await waitFor('the partition to be reported blocked with the lost range', () =>
    after.problems().find((p) => /offsets 10\.\.14 \(5 messages\)/.test(p)),
  );
  assert.match(problem, new RegExp(`^${topic}\\[0\\] offsets_lost`));
  assert.deepEqual(second, [], 'nothing after the gap was processed');
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  assert.equal(committed!.partitions[0]!.offset, '10', 'the committed offset is kept for the operator');

  // Negative control: an unguarded kafkajs consumer at the same committed offset resets to the log
  // start and carries on — the silent loss this guard exists to prevent.
  const unguarded = uniqueName('unguarded');
  await admin.setOffsets({ groupId: unguarded, topic, partitions: [{ partition: 0, offset: '10' }] });
  const skipped: string[] = [];
  const plain = kafka.consumer({ groupId: unguarded });
  await plain.connect();
  t.after(() => plain.disconnect());
  await plain.subscribe({ topic, fromBeginning: true });
  await plain.run({ eachMessage: async ({ message }) => void skipped.push(message.offset) });
  await waitFor('the unguarded consumer to skip ahead', () => (skipped.length >= 5 ? true : undefined));
  assert.equal(skipped[0], '15', 'kafkajs resumed after the gap without a word');
});
