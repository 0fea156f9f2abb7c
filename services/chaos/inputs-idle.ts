// The oracle's view of event time: whether the markers on the canonical topic
// (shared/kafka/watermark-marker.ts) say every raw partition is idle — the point from which the
// journey's time has moved as far as the data takes it, so two runs of the same stream can be
// compared. One consumer (read committed, a throw-away group) follows the topic from its start.
import type { Consumer, Kafka } from 'kafkajs';
import { decodeWatermarkMarker, isWatermarkMarker } from '../shared/kafka/watermark-marker.ts';
import { allInputsIdle, applyMarker, markersSeen } from '../journey/input-watermarks.ts';
import type { InputMarks } from '../journey/input-watermarks.ts';

export class InputsIdleProbe {
  readonly #kafka: Kafka;
  readonly #topic: string;
  /** Next offset to read per partition (past the last batch, markers included). */
  readonly #position = new Map<number, bigint>();
  readonly marks: InputMarks = new Map();
  #consumer: Consumer | null = null;

  constructor(kafka: Kafka, canonicalTopic: string) {
    this.#kafka = kafka;
    this.#topic = canonicalTopic;
  }

  async #start(): Promise<void> {
    const consumer = this.#kafka.consumer({
      groupId: `inputs-idle-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
      allowAutoTopicCreation: false,
    });
    this.#consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.#topic, fromBeginning: true });
    // Batch-end events fire for batches holding only transaction markers too (which never reach
    // eachBatch): the position passes a topic that ends in a commit or an abort.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { partition, lastOffset } = event.payload as { partition: number; lastOffset: string };
      const next = BigInt(lastOffset) + 1n;
      if (next > (this.#position.get(partition) ?? 0n)) this.#position.set(partition, next);
    });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (!isWatermarkMarker(m.headers)) continue;
          const marker = decodeWatermarkMarker(m.value);
          if (marker) applyMarker(this.marks, batch.partition, marker);
        }
      },
    });
  }

  /** Every raw partition idle, as far as the topic's committed end (within a commit marker).
   *  False while the broker cannot answer (a restart: not known to be idle yet). */
  async allIdle(): Promise<boolean> {
    if (!this.#consumer)
      try {
        await this.#start();
      } catch {
        await this.stop().catch(() => undefined);
        this.#consumer = null;
        return false;
      }
    const admin = this.#kafka.admin();
    let offsets: Awaited<ReturnType<typeof admin.fetchTopicOffsets>>;
    try {
      await admin.connect();
      offsets = await admin.fetchTopicOffsets(this.#topic);
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    const atEnd = offsets.every(
      (o) =>
        BigInt(o.high) === BigInt(o.low) || (this.#position.get(o.partition) ?? -1n) + 1n >= BigInt(o.high),
    );
    return atEnd && markersSeen(this.marks) && allInputsIdle(this.marks);
  }

  async stop(): Promise<void> {
    await this.#consumer?.disconnect();
  }
}
