// Which canonical partitions may still replay events that the previous owner inserted into
// ClickHouse but did not commit (drop-stored-events.ts): after every restore, all of them, each
// until one of its own batches has none stored. Per partition, because the replay interleaves
// partitions: a first batch of partition 0 with nothing stored says nothing about partition 3,
// whose in-flight batch the killed owner may have inserted. An event replayed there unfiltered
// would be stored twice — and if the replay resolved it to another account (the identity graph
// restored, the cross-partition order different), under another sort key, where not even FINAL
// collapses it (issue #14, item 11).
export class ReplayWindow {
  readonly #settled = new Set<number>();

  /** A restore: every partition may replay again. */
  reopen(): void {
    this.#settled.clear();
  }

  pending(partition: number): boolean {
    return !this.#settled.has(partition);
  }

  /** One of the partition's batches had nothing stored: past it, nothing can be. */
  settle(partition: number): void {
    this.#settled.add(partition);
  }
}
