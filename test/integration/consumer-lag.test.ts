// Consumer lag is measured by the broker's offsets, not by the consumer's progress: a stage stuck
// inside a batch shows its lag growing as messages keep arriving (issue #19: "a stuck stage shows
// no lag"), and back at 0 once it has read and committed everything.
import { test } from 'node:test';
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
