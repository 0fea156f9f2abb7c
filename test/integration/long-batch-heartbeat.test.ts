// A batch that takes longer than the session timeout (a changelog restore, ClickHouse retries
// through an outage) keeps its partition: the consumer heartbeats while the handler runs, so the
// group does not rebalance and the batch commits once. Without the heartbeats the member is
// dropped after the session timeout and the group rebalances (a second join).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { runTestConsumer } from '../support/test-consumer.ts';
import { groupSettled, testKafka, topicWithMessages, uniqueName, waitFor } from '../support/stack.ts';

const SESSION_MS = 10_000;

test('a batch running 1.5 session timeouts keeps its partition: no rebalance, committed once', async (t) => {
  const kafka = testKafka();
  const { topic } = await topicWithMessages(t, kafka, 'slow', 5);

  const metrics = createMetrics(false);
  const groupId = uniqueName('slow-group');
  const handled: string[] = [];
  let slow = true;
  const consumer = await runTestConsumer(
    kafka,
    groupId,
    topic,
    SESSION_MS,
    async (batch) => {
      // The first batch stands for ClickHouse retrying through an outage longer than the session.
      if (slow) {
        slow = false;
        await new Promise((resolve) => setTimeout(resolve, 1.5 * SESSION_MS));
      }
      handled.push(...batch.messages.map((m) => m.offset));
    },
    { metrics },
  );
  t.after(() => consumer.stop());
  await waitFor(
    'the batch committed',
    async () => ((await groupSettled(groupId, [topic])) ? true : undefined),
    60_000,
  );
  const joins = (await metrics.rebalances.get()).values.reduce((n, v) => n + v.value, 0);
  assert.equal(joins, 1, 'the group never rebalanced');
  assert.deepEqual(handled, ['0', '1', '2', '3', '4'], 'each message handled once');
});
