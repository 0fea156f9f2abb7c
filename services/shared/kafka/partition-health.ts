// What a stage's consumer cannot make progress on, per partition: a batch that keeps failing
// (retried, nothing committed) or offsets the broker deleted before they were consumed (stopped
// until an operator decides). /readyz reports every entry (503 while any is present), and the
// `journey_consumer_partition_blocked` gauge carries the same facts for alerting.
import type { PipelineMetrics } from '../telemetry/metrics.ts';

export type BlockReason = 'batch_failing' | 'offsets_lost';

export interface PartitionBlock {
  topic: string;
  partition: number;
  reason: BlockReason;
  since: number;
  detail: string;
}

export class PartitionHealth {
  readonly #blocks = new Map<string, PartitionBlock>();
  readonly #groupId: string;
  readonly #metrics: PipelineMetrics | undefined;

  constructor(groupId: string, metrics?: PipelineMetrics) {
    this.#groupId = groupId;
    this.#metrics = metrics;
  }

  block(topic: string, partition: number, reason: BlockReason, detail: string, now = Date.now()): void {
    const key = `${topic}/${partition}/${reason}`;
    const since = this.#blocks.get(key)?.since ?? now;
    this.#blocks.set(key, { topic, partition, reason, since, detail });
    this.#metrics?.partitionBlocked.set(this.#labels(topic, partition, reason), 1);
  }

  clear(topic: string, partition: number, reason: BlockReason): void {
    if (!this.#blocks.delete(`${topic}/${partition}/${reason}`)) return;
    this.#metrics?.partitionBlocked.set(this.#labels(topic, partition, reason), 0);
  }

  /** One line per blocked partition, for /readyz and logs; empty when every partition progresses. */
  problems(): string[] {
    return [...this.#blocks.values()].map(
      (b) => `${b.topic}[${b.partition}] ${b.reason} since ${new Date(b.since).toISOString()}: ${b.detail}`,
    );
  }

  #labels(topic: string, partition: number, reason: BlockReason) {
    return { group: this.#groupId, topic, partition: String(partition), reason };
  }
}
