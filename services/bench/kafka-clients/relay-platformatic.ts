// The relay loop on @platformatic/kafka: its consumer is a stream of messages, so a batch is what
// arrived while the previous transaction ran, up to 1 MB of values (a fetch of one partition, in
// kafkajs, is at most that); one transaction per batch with its messages and the offsets of its
// last message per partition (addOffset commits by the
// group's generation and member id: KIP-447 fencing, which kafkajs lacks).
import { Consumer, MessagesStreamModes, Producer } from '@platformatic/kafka';
import type { Message } from '@platformatic/kafka';
import { RelayClock, taskFromArgv, takeUpTo, TRANSACTION_BYTES } from './relay-protocol.ts';

const READ_COMMITTED = 1;
const PAUSE_AT = 20_000;

const task = taskFromArgv(process.argv);
const clock = new RelayClock('platformatic');
const producer = new Producer({
  clientId: 'relay-platformatic',
  bootstrapBrokers: task.brokers,
  transactionalId: task.transactionalId,
  idempotent: true,
  // The default, a flat 1 s between retries, is spent whole on every CONCURRENT_TRANSACTIONS (the
  // previous commit's markers still being written when the next transaction adds its offsets):
  // back off from 25 ms instead, about as kafkajs's transaction manager does.
  retries: 10,
  retryDelay: (_client, _operation, attempt) => Math.min(25 * 2 ** (attempt - 1), 1000),
});
const consumer = new Consumer({
  clientId: 'relay-platformatic',
  groupId: task.groupId,
  bootstrapBrokers: task.brokers,
  autocommit: false,
  isolationLevel: READ_COMMITTED,
});
const stream = await consumer.consume({
  topics: [task.input],
  mode: MessagesStreamModes.COMMITTED,
  fallbackMode: 'earliest',
  autocommit: false,
  isolationLevel: READ_COMMITTED,
});
const pending: Message[] = [];
let wake: () => void = () => undefined;
stream.on('data', (message: Message) => {
  clock.firstMessage();
  pending.push(message);
  if (pending.length >= PAUSE_AT) stream.pause();
  wake();
});
while (clock.messages < task.messages) {
  if (pending.length === 0) await new Promise<void>((resolve) => (wake = resolve));
  const batch = takeUpTo(pending, TRANSACTION_BYTES);
  if (pending.length < PAUSE_AT) stream.resume();
  const last = new Map<string, Message>();
  for (const m of batch) last.set(`${m.topic}:${m.partition}`, m);
  const tx = await producer.beginTransaction();
  try {
    await tx.addConsumer(consumer);
    await tx.send({ messages: batch.map((m) => ({ topic: task.output, key: m.key, value: m.value })) });
    for (const m of last.values()) await tx.addOffset(m);
    await tx.commit();
  } catch (err) {
    await tx.abort().catch(() => undefined);
    throw err;
  }
  clock.committed(batch.length);
}
clock.report();
await stream.close();
await consumer.close();
await producer.close();
