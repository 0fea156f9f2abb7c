// How the ingest is fenced (services/shared/kafka/partition-producers.ts), against the real broker:
// the transactional id belongs to the input partition, not to the instance, so the member that
// takes a partition over fences the previous owner — a zombie that wakes up mid-transaction can
// neither commit what it was writing nor anything after — and it learns, from the committed offset
// read after fencing (the floor), what the previous owner managed to commit before; and a member
// stalled past its session initialises no producer, so it cannot fence the rightful owner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StaleMemberError } from '../../services/shared/kafka/batch-consumer.ts';
import { PartitionProducers } from '../../services/shared/kafka/partition-producers.ts';
import type { OutboundMessage } from '../../services/shared/kafka/producer.ts';
import { testKafka, uniqueName, waitFor } from '../support/stack.ts';

const fresh = (): boolean => true;

test('the new owner of a partition fences the old one and starts above what it committed', async (t) => {
  const kafka = testKafka();
  const input = uniqueName('fence-in');
  const output = uniqueName('fence-out');
  const groupId = uniqueName('fence-group');
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({
    topics: [
      { topic: input, numPartitions: 2 },
      { topic: output, numPartitions: 1 },
    ],
    waitForLeaders: true,
  });
  // Two instances of the stage, each with its own set of producers (as two processes would have).
  const zombie = new PartitionProducers(kafka, groupId);
  const successor = new PartitionProducers(kafka, groupId);
  t.after(() => Promise.all([zombie.disconnectAll(), successor.disconnectAll()]));
  const batch = (label: string): OutboundMessage[] =>
    [0, 1].map((i) => ({ topic: output, key: `k${i}`, value: `${label}-${i}`, partition: 0 }));
  const offsets = (offset: string) => ({ groupId, topic: input, partition: 0, offset });

  // The first owner commits offsets 0..4 of partition 0, then begins its next batch and stalls in
  // the middle of it (its gate waits), long enough for the partition to change hands.
  const first = await zombie.claim(input, 0, fresh);
  assert.equal(first.floor, 0n);
  assert.equal(await first.producer.sendWithOffsets(batch('first'), offsets('5')), true);
  let successorFenced: () => void = () => undefined;
  const fenced = new Promise<void>((resolve) => (successorFenced = resolve));
  const stalled = first.producer.sendWithOffsets(batch('stalled'), offsets('9'), async () => {
    await fenced;
    return true; // the zombie believes it may commit
  });

  // The successor claims the partition: its producer takes the same transactional id, which
  // aborts the zombie's open transaction; its floor is what the zombie had committed.
  const second = await successor.claim(input, 0, fresh);
  assert.equal(second.floor, 5n);
  successorFenced();
  await assert.rejects(stalled, { name: 'ProducerFencedError' });
  // The fenced zombie lets its producer go, and claims the partition again before it has heard
  // from the group (no heartbeat for a session, memberFresh false): it creates no producer, so it
  // does not fence the successor in its turn (the successor's commit below would fail).
  zombie.release(input, 0);
  await assert.rejects(
    zombie.claim(input, 0, () => false),
    { name: 'StaleMemberError' },
  );
  // Another partition of the same instance is not affected: its id is its own.
  const other = await zombie.claim(input, 1, fresh);
  assert.equal(await other.producer.sendWithOffsets([], { ...offsets('3'), partition: 1 }), true);

  assert.equal(await second.producer.sendWithOffsets(batch('successor'), offsets('9')), true);
  // A transactional offset commit is visible once its markers are written (after commit returns).
  const offsetsNow = async (): Promise<string> =>
    (await admin.fetchOffsets({ groupId, topics: [input] }))[0]!.partitions
      .map((p) => `${p.partition}:${p.offset}`)
      .sort()
      .join(',');
  await waitFor(
    'the successor commit visible',
    async () => ((await offsetsNow()) === '0:9,1:3' ? true : undefined),
    30_000,
  );

  // read_committed: the zombie's stalled batch never became visible.
  const consumer = kafka.consumer({ groupId: uniqueName('fence-reader') });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topic: output, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
  await waitFor('the successor batch', () => (seen.includes('successor-1') ? true : undefined), 60_000);
  assert.deepEqual(seen, ['first-0', 'first-1', 'successor-0', 'successor-1']);
});

test('a producer released after a rebalance is closed; claiming again fences anew', async (t) => {
  const kafka = testKafka();
  const input = uniqueName('fence-release');
  const groupId = uniqueName('fence-release-group');
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: input, numPartitions: 3 }], waitForLeaders: true });
  const producers = new PartitionProducers(kafka, groupId);
  t.after(() => producers.disconnectAll());
  for (const p of [0, 1, 2]) await producers.claim(input, p, fresh);
  assert.equal(producers.size, 3);
  producers.retain({ [input]: [1] });
  assert.equal(producers.size, 1);
  const again = await producers.claim(input, 0, fresh);
  assert.equal(
    await again.producer.sendWithOffsets([], { groupId, topic: input, partition: 0, offset: '1' }),
    true,
  );
});

test('a zombie whose insert gate refuses (stale) does not reconnect: the owner that took over stays unfenced', async (t) => {
  const kafka = testKafka();
  const input = uniqueName('fence-stale');
  const groupId = uniqueName('fence-stale-group');
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: input, numPartitions: 1 }], waitForLeaders: true });
  let zombieFresh = true;
  const zombie = new PartitionProducers(kafka, groupId);
  const successor = new PartitionProducers(kafka, groupId);
  t.after(() => Promise.all([zombie.disconnectAll(), successor.disconnectAll()]));
  const offsets = (offset: string) => ({ groupId, topic: input, partition: 0, offset });
  const old = await zombie.claim(input, 0, () => zombieFresh);
  // The zombie stalls past its session; the successor takes the partition over.
  zombieFresh = false;
  const next = await successor.claim(input, 0, fresh);
  // The zombie wakes up in its batch: its gate (the ClickHouse insert) refuses, the member being
  // stale. A producer that reconnected after that failure would bump the epoch past the successor's.
  await assert.rejects(
    old.producer.sendWithOffsets([], offsets('7'), async () => {
      throw new StaleMemberError(groupId);
    }),
    { name: 'StaleMemberError' },
  );
  // Nor does its next transaction reconnect while the member is stale.
  await assert.rejects(old.producer.sendWithOffsets([], offsets('7')), { name: 'StaleMemberError' });
  assert.equal(await next.producer.sendWithOffsets([], offsets('3')), true);
});
