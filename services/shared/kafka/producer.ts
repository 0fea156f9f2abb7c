// An idempotent producer (acks=all, one in-flight request) that sends a batch's outputs to
// several topics in one call and resolves only when the brokers acknowledged all of them.
import { CompressionTypes } from 'kafkajs';
import type { Kafka, Producer } from 'kafkajs';

export interface OutboundMessage {
  topic: string;
  key: string | Buffer | null;
  /** null: a tombstone (deletes the key from a compacted topic). */
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer>;
  /** Explicit partition (changelogs are co-partitioned with their input); else by key. */
  partition?: number;
  timestampMs?: number;
}

export interface OutputProducer {
  send(messages: OutboundMessage[]): Promise<void>;
  disconnect(): Promise<void>;
  producer: Producer;
}

export async function createOutputProducer(kafka: Kafka): Promise<OutputProducer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  return {
    producer,
    send: async (messages) => {
      if (messages.length === 0) return;
      const byTopic = new Map<string, OutboundMessage[]>();
      for (const m of messages) {
        const list = byTopic.get(m.topic) ?? [];
        list.push(m);
        byTopic.set(m.topic, list);
      }
      await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((m) => ({
            key: m.key,
            value: m.value,
            ...(m.partition !== undefined ? { partition: m.partition } : {}),
            ...(m.headers ? { headers: m.headers } : {}),
            ...(m.timestampMs !== undefined ? { timestamp: String(m.timestampMs) } : {}),
          })),
        })),
      });
    },
    disconnect: () => producer.disconnect(),
  };
}
