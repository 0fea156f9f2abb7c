// Scale-out and failover of the journey stage: three instances in one consumer group take turns
// owning the canonical partition while the workload streams in (instances join and leave
// mid-stream, so the group rebalances). Whoever is handed the partition must first restore the
// identity graph and account state from the changelogs — an instance that kept the state it
// restored at startup would apply the rest of the stream to a stale graph. The final ClickHouse
// state must equal a single-consumer run over the same canonical events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import type { PipelineConfig } from '../../services/shared/config/config.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { startIngestService } from '../../services/ingest/ingest-service.ts';
import { startJourneyService } from '../../services/journey/journey-service.ts';
import { encodeRawMessage } from '../../services/workload/encode-raw-message.ts';
import { generateHistory } from '../../services/workload/generate-workload.ts';
import { registerInputSchemas, topicOf } from '../../services/workload/produce-workload.ts';
import { testKafka, waitFor, groupSettled } from '../support/stack.ts';
import { freshPipeline } from '../support/pipeline.ts';
import { journeySnapshot as snapshot } from '../support/journey-snapshot.ts';
import { namedInstances } from '../support/named-instances.ts';

const DAY = 86_400_000;
// The single writer's standbys (the partitioned topology's rebalances: test/scale-out/).
const quiet = { JOURNEY_IDLE_TICK_SECONDS: '0', JOURNEY_TOPOLOGY: 'single' };

function journeyConfig(config: PipelineConfig, instance: string): PipelineConfig {
  return { ...config, INSTANCE_ID: instance };
}

test('three journey instances, rebalanced mid-stream, end in the state of a single-consumer run', async (t) => {
  const { config } = await freshPipeline(quiet);
  const log = createLogger('silent');
  const ingest = await startIngestService(config, log, createMetrics(false));
  t.after(() => ingest.stop());

  // The workload, encoded once, sent in three parts.
  const avro = await registerInputSchemas(config);
  const workload = generateHistory('tiny', 5, Date.now() - 36 * DAY);
  const messages = [...workload.messages].map((m) => ({
    topic: topicOf(config, m.topic),
    key: m.key,
    value: encodeRawMessage(m, avro),
  }));
  const producer = testKafka().producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  const send = async (from: number, to: number): Promise<void> => {
    for (let i = from; i < to; i += 500) {
      const part = messages.slice(i, Math.min(to, i + 500));
      const byTopic = new Map<string, typeof part>();
      for (const m of part) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
      await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map(({ key, value }) => ({ key, value })),
        })),
      });
    }
  };
  const rawTopics = [config.TOPIC_BEHAVIOR, config.TOPIC_TICKETS, config.TOPIC_SURVEYS, config.TOPIC_BILLING];
  const drained = (what: string) =>
    waitFor(
      what,
      async () =>
        (await groupSettled(config.INGEST_GROUP_ID, rawTopics)) &&
        (await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_CANONICAL]))
          ? true
          : undefined,
      120_000,
    );

  const { instances, start, stop } = namedInstances(t, (name) =>
    startJourneyService(journeyConfig(config, name), log, createMetrics(false)),
  );
  /** The instance that processed the last batch holds state; the others hold what they restored. */
  const owner = (): string =>
    [...instances].sort((a, b) => b[1].state.accounts.states.size - a[1].state.accounts.states.size)[0]![0];

  // All three start on empty changelogs; one of them gets the partition.
  await start('a');
  await start('b');
  await start('c');
  const third = Math.ceil(messages.length / 3);
  await send(0, third);
  await drained('the first third');

  // The owner leaves: a standby (state restored when the changelogs were empty) takes over.
  await stop(owner());
  await send(third, 2 * third);
  await drained('the second third');

  // A new instance joins while the last third streams in (another rebalance), then the owner leaves.
  const last = send(2 * third, messages.length);
  await start('d');
  await last;
  await stop(owner());
  await drained('the last third');

  // Reference: one instance in its own group, with its own outputs, over the same canonical topic.
  const { config: single } = await freshPipeline({ ...quiet, TOPIC_CANONICAL: config.TOPIC_CANONICAL });
  const reference = await startJourneyService(single, log, createMetrics(false));
  t.after(() => reference.stop());
  await waitFor(
    'the single-consumer run',
    async () => ((await groupSettled(single.JOURNEY_GROUP_ID, [single.TOPIC_CANONICAL])) ? true : undefined),
    120_000,
  );

  const client = createClickHouse(config, { database: null });
  t.after(() => client.close());
  const scaled = await snapshot(client, config.CLICKHOUSE_DATABASE);
  const expected = await snapshot(client, single.CLICKHOUSE_DATABASE);
  assert.ok((expected['accounts'] as unknown[]).length > 20, 'the workload made accounts');
  assert.ok((expected['transitions'] as unknown[]).length > 20, 'and stage transitions');
  assert.deepEqual(scaled['events'], expected['events']);
  assert.deepEqual(scaled['transitions'], expected['transitions']);
  assert.deepEqual(scaled['signals'], expected['signals']);
  const differing = (scaled['accounts'] as Array<Record<string, unknown>>)
    .map((row, i) => [row, (expected['accounts'] as Array<Record<string, unknown>>)[i]] as const)
    .filter(([a, b]) => JSON.stringify(a) !== JSON.stringify(b))
    .map(([a, b]) =>
      Object.keys(a)
        .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b?.[k]))
        .map((k) => `${String(a['account_key'])}.${k}: ${JSON.stringify(a[k])} vs ${JSON.stringify(b?.[k])}`),
    );
  assert.deepEqual(differing, [], 'account states differ (scaled vs single)');
  assert.deepEqual(scaled['accounts'], expected['accounts']);
});
