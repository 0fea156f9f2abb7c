// A transaction-mode handler whose commit gate finds its member past the freshness margin (no
// heartbeat for a session timeout less one heartbeat interval) but not yet dropped by the group
// commits nothing — and must not let the batch consumer resolve the batch either: the member's
// next heartbeat succeeds, its next batch would commit offsets past the refused one, and the
// refused batch's outputs would be lost for good. `commitAllowed` throws StaleMemberError there,
// so the batch is redone. Before it, the journey's, route's and resolver's gates returned false.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commitAllowed, offsetAfter } from '../../services/shared/kafka/batch-consumer.ts';
import { createTransactionalProducer } from '../../services/shared/kafka/producer.ts';
import { ensureTopics } from '../../services/shared/kafka/topics.ts';
import { readTopic } from '../support/topic-reader.ts';
import { runTestConsumer } from '../support/test-consumer.ts';
import { groupSettled, testKafka, topicWithMessages, uniqueName, waitFor } from '../support/stack.ts';

const SESSION_MS = 10_000;

test('a batch refused at the commit gate by a member past its freshness margin is redone, not skipped', async (t) => {
  const kafka = testKafka();
  const { topic, producer } = await topicWithMessages(t, kafka, 'gate', 5);
  const output = uniqueName('gate-out');
  await ensureTopics(kafka, [{ topic: output, partitions: 1 }]);
  const groupId = uniqueName('gate-group');

  let lastHeartbeatAt = Date.now();
  let stalled = false;
  let refusals = 0;
  const consumer = await runTestConsumer(
    kafka,
    groupId,
    topic,
    SESSION_MS,
    async (batch, control) => {
      const writer = await createTransactionalProducer(kafka, `${groupId}-writer`, () => true);
      // Whether the member was fresh right after the stall: the gate judges by it (a heartbeat timer
      // firing during the transaction's first awaits would otherwise race the gate's own check).
      let fresh = control.memberFresh();
      try {
        if (!stalled) {
          stalled = true;
          // More input, for a batch after this one.
          await producer.send({
            topic,
            messages: Array.from({ length: 5 }, (_, i) => ({ value: `m${i + 5}` })),
          });
          // The process stalls (no timer runs, no heartbeat) until the member is past its margin
          // (session less one 3 s heartbeat interval) but 1.5 s short of the session: the group
          // still counts it as a member, and its next heartbeat succeeds.
          const until = lastHeartbeatAt + SESSION_MS - 1_500;
          while (Date.now() < until);
          fresh = control.memberFresh();
          assert.equal(fresh, false, 'past the margin');
        }
        await writer.sendWithOffsets(
          batch.messages.map((m) => ({ topic: output, key: null, value: m.value })),
          { groupId, topic: batch.topic, partition: batch.partition, offset: offsetAfter(batch) },
          async () => {
            let allowed = false;
            try {
              allowed = commitAllowed({ ...control, memberFresh: () => fresh }, groupId);
              return allowed;
            } finally {
              if (!allowed) refusals++;
            }
          },
        );
      } finally {
        await writer.disconnect();
      }
    },
    { commitMode: 'transaction', onFatal: () => undefined },
  );
  consumer.consumer.on(consumer.consumer.events.HEARTBEAT, () => void (lastHeartbeatAt = Date.now()));
  consumer.consumer.on(consumer.consumer.events.GROUP_JOIN, () => void (lastHeartbeatAt = Date.now()));
  t.after(() => consumer.stop());

  const reader = await readTopic(t, output, (v) => String(v));
  await waitFor(
    'every input committed and its output read',
    async () => ((await groupSettled(groupId, [topic])) && (await reader.readToEnd()) ? true : undefined),
    120_000,
  );
  assert.ok(refusals >= 1, 'the stalled batch was refused at the gate');
  assert.deepEqual(
    reader.items,
    Array.from({ length: 10 }, (_, i) => `m${i}`),
    'every input once, in order: the refused batch redone, not skipped',
  );
});
