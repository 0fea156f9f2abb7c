// The ingest's dedup windows, one per raw topic-partition it owns. A window is dropped when its
// batch fails (ids of a batch that was not committed must not make the redelivery look like
// duplicates) and when a rebalance takes its partition away: memory follows the assignment, not
// every partition this instance ever owned.
import { DedupWindow } from './dedup-window.ts';
import type { DedupWindowOptions } from './dedup-window.ts';

export class DedupWindows {
  readonly #windows = new Map<string, DedupWindow>();
  readonly #options: DedupWindowOptions;

  constructor(options: DedupWindowOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#windows.size;
  }

  for(topic: string, partition: number): DedupWindow {
    const key = `${topic}:${partition}`;
    let window = this.#windows.get(key);
    if (!window) {
      window = new DedupWindow(this.#options);
      this.#windows.set(key, window);
    }
    return window;
  }

  /** False for a partition whose window is new or was dropped: it remembers nothing yet. */
  has(topic: string, partition: number): boolean {
    return this.#windows.has(`${topic}:${partition}`);
  }

  drop(topic: string, partition: number): void {
    this.#windows.delete(`${topic}:${partition}`);
  }

  /** Keeps the windows of the assigned partitions only. */
  retain(assignment: Readonly<Record<string, readonly number[]>>): void {
    for (const key of this.#windows.keys()) {
      const colon = key.lastIndexOf(':');
      const assigned = assignment[key.slice(0, colon)] ?? [];
      if (!assigned.includes(Number(key.slice(colon + 1)))) this.#windows.delete(key);
    }
  }
}
