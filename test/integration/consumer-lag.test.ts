// Consumer lag is measured by the broker's offsets, not by the consumer's progress: a stage stuck
// inside a batch shows its lag growing as messages keep arriving (issue #19: "a stuck stage shows
// no lag"), and back at 0 once it has read and committed everything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { runBatchConsumer } from '../../services/shared/kafka/batch-consumer.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { freshPipeline } from '../support/pipeline.ts';
import { testKafka, waitFor } from '../support/stack.ts';

test('a stuck consumer: its lag grows with every message that arrives; read and committed: 0', async (t) => {
  const { config } = await freshPipeline();
  const topic = config.TOPIC_BEHAVIOR;
  const kafka = testKafka();
  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  const send = (from: number, count: number) =>
    producer.send({
      topic,
      messages: Array.from({ length: count }, (_, i) => ({ partition: 0, value: `m${from + i}` })),
    });

  const metrics = createMetrics(false);
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let batches = 0;
  const consumer = await runBatchConsumer({
    kafka,
    groupId: `${config.INGEST_GROUP_ID}-lag`,
    topics: [topic],
    stage: 'lag-test',
    log: createLogger('silent'),
    metrics,
    lagIntervalMs: 200,
    handler: async () => {
      batches++;
      await released; // stuck on its first batch until the test lets it go
    },
  });
  // Released first: a consumer stops only once its batch is done.
  t.after(async () => {
    release();
    await consumer.stop();
  });
  const lag = async (): Promise<number | undefined> =>
    (await metrics.consumerLag.get()).values.find(
      (v) => v.labels.topic === topic && v.labels.partition === '0',
    )?.value;

  await send(0, 5);
  await waitFor('the first batch in the handler', () => (batches > 0 ? true : undefined), 60_000);
  await send(5, 50);
  // The fetched batch knew of at most the first 5; the broker knows of 55, none committed.
  await waitFor('lag 55 while stuck', async () => ((await lag()) === 55 ? true : undefined), 30_000);

  release();
  await waitFor(
    'lag 0 once read and committed',
    async () => ((await lag()) === 0 ? true : undefined),
    60_000,
  );
});

/** A transactional producer on partition 0 of `topic`: each call one transaction, committed or
 *  aborted. */
async function transactions(
  t: TestContext,
  topic: string,
  transactionalId: string,
): Promise<(values: string[], outcome: 'commit' | 'abort') => Promise<void>> {
  const producer = testKafka().producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.after(() => producer.disconnect());
  return async (values, outcome) => {
    const tx = await producer.transaction();
    await tx.send({ topic, messages: values.map((value) => ({ partition: 0, value })) });
    await (outcome === 'commit' ? tx.commit() : tx.abort());
  };
}

test('a transactional topic: read to its end, the group commits past the commit and abort markers (lag 0, not 1-2)', async (t) => {
  const { config } = await freshPipeline();
  const topic = config.TOPIC_CANONICAL;
  const groupId = `${config.JOURNEY_GROUP_ID}-markers`;
  const kafka = testKafka();
  const transaction = await transactions(t, topic, `${groupId}-tx`);
  const committed = async (): Promise<{ committed: bigint; high: bigint }> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [ends] = await admin.fetchTopicOffsets(topic).then((o) => o.filter((p) => p.partition === 0));
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const at = offsets?.partitions.find((p) => p.partition === 0)?.offset ?? '-1';
      return { committed: BigInt(at), high: BigInt(ends!.high) };
    } finally {
      await admin.disconnect();
    }
  };
  // Before the consumer starts: one fetch holds data, its commit marker, aborted data, an abort
  // marker — the batch's tail past its last message.
  await transaction(['a', 'b', 'c'], 'commit');
  await transaction(['x', 'y'], 'abort');

  const metrics = createMetrics(false);
  const seen: string[] = [];
  const consumer = await runBatchConsumer({
    kafka,
    groupId,
    topics: [topic],
    stage: 'markers-test',
    log: createLogger('silent'),
    metrics,
    lagIntervalMs: 200,
    handler: async (batch) => void seen.push(...batch.messages.map((m) => String(m.value))),
  });
  t.after(() => consumer.stop());
  const atEnd = async (): Promise<true | undefined> => {
    const { committed: at, high } = await committed();
    const lag = (await metrics.consumerLag.get()).values.find(
      (v) => v.labels.topic === topic && v.labels.partition === '0',
    )?.value;
    return at === high && lag === 0 ? true : undefined;
  };
  await waitFor('the group committed at the end of the topic (tail of a batch)', atEnd, 60_000);
  assert.deepEqual(seen, ['a', 'b', 'c']);

  // Then, with the partition read to its end: a fetch of an aborted transaction alone.
  await transaction(['z'], 'abort');
  await waitFor('the group committed at the end of the topic (a fetch of markers alone)', atEnd, 60_000);
  await transaction(['d'], 'commit');
  await waitFor('the next committed record handled, the group at the end again', atEnd, 60_000);
  assert.deepEqual(seen, ['a', 'b', 'c', 'd']);
});

test('a member that joins where only markers are left past the committed offset commits past them', async (t) => {
  const { config } = await freshPipeline();
  const topic = config.TOPIC_CANONICAL;
  const groupId = `${config.JOURNEY_GROUP_ID}-joined`;
  const kafka = testKafka();
  const transaction = await transactions(t, topic, `${groupId}-tx`);
  await transaction(['committed'], 'commit');
  await transaction(['aborted'], 'abort');
  // The previous owner committed its last message (offset 0): left are its commit marker, the
  // aborted record and the abort marker.
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
  const [end] = (await admin.fetchTopicOffsets(topic)).filter((p) => p.partition === 0);
  assert.equal(end!.high, '4');

  const seen: string[] = [];
  const consumer = await runBatchConsumer({
    kafka,
    groupId,
    topics: [topic],
    stage: 'markers-test',
    log: createLogger('silent'),
    handler: async (batch) => void seen.push(...batch.messages.map((m) => String(m.value))),
  });
  t.after(() => consumer.stop());
  await waitFor(
    'the group committed at the end of the topic',
    async () => {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return offsets?.partitions.find((p) => p.partition === 0)?.offset === '4' ? true : undefined;
    },
    60_000,
  );
  assert.deepEqual(seen, [], 'no message was handled: the only one past offset 0 was aborted');
});
