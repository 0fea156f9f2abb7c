// Work that may run side by side (shared) and work that must run alone (exclusive), in the order
// asked: exclusive work starts once every piece of work asked before it settled, and work asked
// after it waits for it to settle. A failure settles its turn like a success (it is the caller's
// to handle) and never stops the work after it. The journey's state step: partitions' batches
// shared, restores and wall-clock ticks exclusive (state-service.ts).
export class ExclusiveTurns {
  /** The last exclusive work asked for, settled-safe. */
  private barrier: Promise<unknown> = Promise.resolve();
  private readonly inFlight = new Set<Promise<unknown>>();

  shared<T>(work: () => Promise<T>): Promise<T> {
    const next = this.barrier.then(work);
    const settled = next.catch(() => undefined);
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return next;
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = Promise.all([this.barrier, ...this.inFlight]).then(work);
    this.barrier = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every piece of work asked so far settled. */
  async idle(): Promise<void> {
    await Promise.all([this.barrier, ...this.inFlight]);
  }
}
