// The collector's way to Kafka: one idempotent producer (acks=all), requests grouped. While one
// send is in flight the next requests queue; they go together as soon as it returns, so a busy
// collector writes few large requests and an idle one writes each at once (no linger). Each
// request's promise settles when the brokers acknowledged its messages, or with the send's error.
// A request whose caller gave up (answered 503) before its turn is dropped from the queue: the
// vendor sends it again. One already on its way may still land: the ingest drops the duplicate.
import type { Kafka } from 'kafkajs';
import { createOutputProducer } from '../shared/kafka/producer.ts';
import type { OutboundMessage, OutputProducer } from '../shared/kafka/producer.ts';

interface Pending {
  messages: OutboundMessage[];
  abandoned: boolean;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupedWriter {
  private readonly kafka: Kafka;
  private producer: Promise<OutputProducer> | null = null;
  private readonly queue: Pending[] = [];
  private flushing = false;
  /** When the send in flight started (null: none): readiness fails when it takes too long. */
  private sendingSince: number | null = null;
  private lastError: unknown = null;

  constructor(kafka: Kafka) {
    this.kafka = kafka;
  }

  /** Resolves once Kafka acknowledged every message; `abandon` drops it if not yet sent. */
  write(messages: OutboundMessage[]): { done: Promise<void>; abandon: () => void } {
    let entry!: Pending;
    const done = new Promise<void>((resolve, reject) => {
      entry = { messages, abandoned: false, resolve, reject };
    });
    this.queue.push(entry);
    if (!this.flushing) void this.flush();
    return {
      done,
      abandon: () => {
        entry.abandoned = true;
      },
    };
  }

  /** Null while writes succeed; the reason while Kafka does not take them. */
  problem(nowMs: number, patienceMs: number): string | null {
    if (this.sendingSince !== null && nowMs - this.sendingSince > patienceMs)
      return `a write has waited ${Math.round((nowMs - this.sendingSince) / 1000)} s for Kafka`;
    return this.lastError === null ? null : `last write failed: ${String(this.lastError)}`;
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    // A connect still retrying (no broker) is not waited for beyond a moment.
    const settled = producer
      ? await Promise.race([
          producer.catch(() => null),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 2_000).unref()),
        ])
      : null;
    await settled?.disconnect();
  }

  private connected(): Promise<OutputProducer> {
    this.producer ??= createOutputProducer(this.kafka).catch((err: unknown) => {
      this.producer = null;
      throw err;
    });
    return this.producer;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.queue.length).filter((p) => !p.abandoned);
        if (group.length === 0) continue;
        this.sendingSince = Date.now();
        try {
          const producer = await this.connected();
          await producer.send(group.flatMap((p) => p.messages));
          this.lastError = null;
          for (const p of group) p.resolve();
        } catch (err) {
          this.lastError = err;
          for (const p of group) p.reject(err);
        } finally {
          this.sendingSince = null;
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
