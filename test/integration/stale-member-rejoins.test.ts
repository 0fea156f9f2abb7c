// A member that went a session without a heartbeat (the broker restarted under it, or its process
// stalled) refuses to write (StaleMemberError) until it hears from the coordinator. The batch
// consumer asks for that heartbeat as soon as such a batch fails: the coordinator's answer
// (unknown member, rebalance) makes kafkajs rejoin at once, and the batch commits after the join.
// Before, kafkajs retried the refused batch with backoff 8 times, crashed and restarted the
// consumer 30 s later — the chaos suite's broker_restart spent ~90 s there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StaleMemberError } from '../../services/shared/kafka/batch-consumer.ts';
import { runTestConsumer } from '../support/test-consumer.ts';
import { groupSettled, testKafka, topicWithMessages, uniqueName, waitFor } from '../support/stack.ts';

const SESSION_MS = 6_000;

test('a stale member whose batch refuses rejoins at once: no consumer crash, the batch committed once', async (t) => {
  const kafka = testKafka();
  const { topic } = await topicWithMessages(t, kafka, 'stale', 5);

  const groupId = uniqueName('stale-group');
  const handled: string[] = [];
  let refusals = 0;
  let crashes = 0;
  let stalled = false;
  const consumer = await runTestConsumer(
    kafka,
    groupId,
    topic,
    SESSION_MS,
    async (batch, control) => {
      if (!stalled) {
        // The whole process stalls (no timer, no heartbeat) past its session: the coordinator
        // drops the member, as after a broker restart.
        stalled = true;
        const until = Date.now() + SESSION_MS + 4_000;
        while (Date.now() < until);
      }
      if (!control.memberFresh()) {
        refusals++;
        throw new StaleMemberError(groupId);
      }
      handled.push(...batch.messages.map((m) => m.offset));
    },
    { onFatal: () => undefined },
  );
  consumer.consumer.on(consumer.consumer.events.CRASH, () => void crashes++);
  t.after(() => consumer.stop());
  await waitFor(
    'the batch committed',
    async () => ((await groupSettled(groupId, [topic])) ? true : undefined),
    120_000,
  );
  assert.equal(crashes, 0, 'the consumer never crashed: it rejoined instead of exhausting its retries');
  assert.ok(
    refusals >= 1 && refusals <= 2,
    `refused ${refusals} time(s) before the rejoin (8+ without the heartbeat)`,
  );
  assert.deepEqual(handled, ['0', '1', '2', '3', '4'], 'each message handled once');
});
