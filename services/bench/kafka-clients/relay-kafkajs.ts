// The relay loop on kafkajs, as the pipeline's stages use it: eachBatch (one partition's fetch),
// a transaction per batch with the batch's messages and its offsets (sendOffsets).
import { Kafka, logLevel } from 'kafkajs';
import { silenceKafkajsTimerWarnings } from '../../shared/kafka/kafka-client.ts';
import { RelayClock, taskFromArgv } from './relay-protocol.ts';

silenceKafkajsTimerWarnings();

const task = taskFromArgv(process.argv);
const clock = new RelayClock('kafkajs');
const kafka = new Kafka({ clientId: 'relay-kafkajs', brokers: task.brokers, logLevel: logLevel.NOTHING });
const producer = kafka.producer({
  transactionalId: task.transactionalId,
  idempotent: true,
  maxInFlightRequests: 1,
});
const consumer = kafka.consumer({ groupId: task.groupId, readUncommitted: false });
await producer.connect();
await consumer.connect();
await consumer.subscribe({ topic: task.input, fromBeginning: true });
let finish: () => void = () => undefined;
const finished = new Promise<void>((resolve) => (finish = resolve));
await consumer.run({
  autoCommit: false,
  eachBatch: async ({ batch }) => {
    if (batch.messages.length === 0) return;
    clock.firstMessage();
    const tx = await producer.transaction();
    try {
      await tx.send({
        topic: task.output,
        messages: batch.messages.map((m) => ({ key: m.key, value: m.value })),
      });
      await tx.sendOffsets({
        consumerGroupId: task.groupId,
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: String(BigInt(batch.lastOffset()) + 1n) }],
          },
        ],
      });
      await tx.commit();
    } catch (err) {
      await tx.abort().catch(() => undefined);
      throw err;
    }
    clock.committed(batch.messages.length);
    if (clock.messages >= task.messages) finish();
  },
});
await finished;
clock.report();
await consumer.disconnect();
await producer.disconnect();
