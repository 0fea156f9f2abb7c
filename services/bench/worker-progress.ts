// What a process under measurement tells the main process while it works: how many messages it
// has finished (and when the first and the last were), how far it read each partition, and the
// insert acknowledgements of sampled events. Sent at most every 100 ms, and at once when done.
import { percentile } from './bench-stats.ts';
import type { BatchStats, FromWorker } from './worker-protocol.ts';

const INTERVAL_MS = 100;

export class WorkerProgress {
  processed = 0;
  firstAtMs: number | null = null;
  doneAtMs: number | null = null;
  expected: number;
  readonly positions: Record<string, string> = {};
  private acks: Array<[string, number]> = [];
  private readonly batchMs: number[] = [];
  private batchMessages = 0;
  private lastSentAt = 0;
  private readonly send: (message: FromWorker) => void;

  constructor(expected: number, send: (message: FromWorker) => void) {
    this.expected = expected;
    this.send = send;
  }

  started(): void {
    this.firstAtMs ??= Date.now();
  }

  add(messages: number, position?: { topic: string; partition: number; lastOffset: string }): void {
    this.processed += messages;
    if (position) this.positions[`${position.topic}:${position.partition}`] = position.lastOffset;
    if (this.expected > 0 && this.processed >= this.expected && this.doneAtMs === null)
      this.doneAtMs = Date.now();
    this.flush(this.doneAtMs !== null);
  }

  /** Done now, whatever the count (nothing to do). */
  finish(): void {
    this.started();
    this.doneAtMs ??= Date.now();
    this.flush(true);
  }

  /** One consumed batch: its size and how long the stage took over it. */
  batch(messages: number, ms: number): void {
    this.batchMs.push(ms);
    this.batchMessages += messages;
  }

  batchStats(): BatchStats | null {
    if (this.batchMs.length === 0) return null;
    const sorted = [...this.batchMs].sort((a, b) => a - b);
    return {
      count: sorted.length,
      meanMessages: this.batchMessages / sorted.length,
      meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
      p99Ms: percentile(sorted, 99),
    };
  }

  ack(eventId: string, atMs: number): void {
    this.acks.push([eventId, atMs]);
  }

  flush(force = false): void {
    if (!force && Date.now() - this.lastSentAt < INTERVAL_MS) return;
    this.lastSentAt = Date.now();
    const acks = this.acks;
    this.acks = [];
    this.send({
      type: 'progress',
      processed: this.processed,
      firstAtMs: this.firstAtMs,
      doneAtMs: this.doneAtMs,
      positions: { ...this.positions },
      acks,
    });
  }
}
