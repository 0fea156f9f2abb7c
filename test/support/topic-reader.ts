// A test's reader of an output topic: every message parsed as it arrives, and a check that it has
// read everything the topic holds now (so an assertion that nothing more came is about the topic,
// not about how long the test waited).
import type { TestContext } from 'node:test';
import { testKafka } from './stack.ts';

export interface TopicReader<T> {
  items: T[];
  /** Whether every partition was read up to its end as the broker reports it now (a trailing
   *  transaction commit marker counts as read). */
  readToEnd(): Promise<boolean>;
}

export async function readTopic<T>(
  t: TestContext,
  topic: string,
  parse: (value: Buffer) => T,
): Promise<TopicReader<T>> {
  const kafka = testKafka();
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  const items: T[] = [];
  const last = new Map<number, bigint>();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      if (message.value) items.push(parse(message.value));
      last.set(partition, BigInt(message.offset));
    },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  return {
    items,
    readToEnd: async () =>
      (await admin.fetchTopicOffsets(topic)).every(
        (end) =>
          BigInt(end.high) === BigInt(end.low) || (last.get(end.partition) ?? -1n) + 2n >= BigInt(end.high),
      ),
  };
}
