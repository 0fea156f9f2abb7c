// The journey stage sends a batch's Kafka outputs while its ClickHouse inserts run, and commits only
// once they succeeded (services/shared/kafka/producer.ts, CommitGate). Against the real broker: a
// gate that refuses (partition revoked) or fails (ClickHouse down) leaves nothing visible to
// read_committed consumers and no offsets committed, and the producer goes on to commit the next
// transaction normally; transactions back to back all commit, offsets-only ones included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTransactionalProducer } from '../../services/shared/kafka/producer.ts';
import type { OutboundMessage } from '../../services/shared/kafka/producer.ts';
import { testKafka, uniqueName, waitFor } from '../support/stack.ts';

test('a refused or failed commit gate aborts the transaction: no messages, no offsets', async (t) => {
  const kafka = testKafka();
  const topic = uniqueName('gate');
  const groupId = uniqueName('gate-group');
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = await createTransactionalProducer(kafka, uniqueName('gate-tx'), () => true);
  t.after(() => producer.disconnect());
  const batch = (label: string): OutboundMessage[] =>
    [0, 1, 2].map((i) => ({ topic, key: `k${i}`, value: `${label}-${i}`, partition: 0 }));
  const offsets = (offset: string) => ({ groupId, topic, partition: 0, offset });
  const committedOffset = async (): Promise<string> =>
    (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions[0]!.offset;

  let gateStarted = 0;
  assert.equal(
    await producer.sendWithOffsets(batch('refused'), offsets('3'), async () => {
      gateStarted++;
      return false;
    }),
    false,
  );
  assert.equal(await committedOffset(), '-1');

  const unavailable = new Error('ClickHouse unavailable');
  await assert.rejects(
    producer.sendWithOffsets(batch('failed'), offsets('6'), async () => {
      gateStarted++;
      throw unavailable;
    }),
    (err) => err === unavailable,
  );
  assert.equal(await committedOffset(), '-1');
  assert.equal(gateStarted, 2);

  assert.equal(await producer.sendWithOffsets(batch('committed'), offsets('9'), async () => true), true);
  assert.equal(await committedOffset(), '9');

  // read_committed (kafkajs's default): only the committed transaction's messages, in order.
  const consumer = kafka.consumer({ groupId: uniqueName('gate-reader') });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(String(message.value));
    },
  });
  await waitFor('the committed batch', () => (seen.includes('committed-2') ? true : undefined), 60_000);
  assert.deepEqual(seen, ['committed-0', 'committed-1', 'committed-2']);
});

test('transactions back to back, with offsets and nothing to send among them, all commit', async (t) => {
  // A transaction begun while the broker still completes the previous one on the same id is
  // refused (CONCURRENT_TRANSACTIONS) at its first request: kafkajs retries a send, not the
  // AddOffsetsToTxn of a transaction with nothing to send (a batch of duplicates only) — about 40 %
  // of those failed here before sendWithOffsets retried it.
  const kafka = testKafka();
  const topic = uniqueName('back-to-back');
  const groupId = uniqueName('back-to-back-group');
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = await createTransactionalProducer(kafka, uniqueName('back-to-back-tx'), () => true);
  t.after(() => producer.disconnect());
  let sent = 0;
  for (let i = 1; i <= 60; i++) {
    const messages: OutboundMessage[] =
      i % 2 === 0 ? [] : [{ topic, key: null, value: `m${i}`, partition: 0 }];
    sent += messages.length;
    assert.equal(
      await producer.sendWithOffsets(messages, { groupId, topic, partition: 0, offset: String(i) }),
      true,
      `transaction ${i}`,
    );
  }
  // EndTxn returns before the coordinator has written the offsets' commit marker: the last
  // offsets become readable a moment later (a read at once saw '59' once, session 22).
  const committed = async () =>
    (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions[0]!.offset;
  await waitFor('the last transaction offsets readable', async () =>
    (await committed()) === '60' ? true : undefined,
  );
  assert.equal(await committed(), '60');
  // Each message once, with its transaction's commit marker (offsets-only ones write none here).
  const [end] = await admin.fetchTopicOffsets(topic);
  assert.equal(Number(end!.high), sent * 2);
});
