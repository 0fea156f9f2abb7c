// Bounded memory of recently seen event ids, to recognise duplicate deliveries (SPEC §1).
// An id counts as a duplicate when it was first seen less than maxAgeMs ago and is still among
// the last maxEntries ids remembered. O(1) per call: ids sit in a ring buffer in arrival order
// (evicted from its head, by count and by age) and a Map answers membership. Iterating a Map from
// its head after many deletes walks the deleted slots (V8), which made a full window quadratic.
// Time is passed in (`now`, e.g. the Kafka timestamp); it is clamped to be monotonic, so an
// out-of-order timestamp cannot make eviction skip entries. Not shared across partitions: the
// shell keeps one window per assigned partition and drops it on revoke.

export interface DedupWindowOptions {
  maxEntries: number;
  maxAgeMs: number;
}

export class DedupWindow {
  readonly maxEntries: number;
  readonly maxAgeMs: number;
  readonly #firstSeen = new Map<string, number>();
  readonly #ring: string[] = [];
  #head = 0;
  #clock = Number.NEGATIVE_INFINITY;

  constructor(options: DedupWindowOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${options.maxEntries}`);
    }
    if (!(options.maxAgeMs > 0)) throw new RangeError(`maxAgeMs must be positive, got ${options.maxAgeMs}`);
    this.maxEntries = options.maxEntries;
    this.maxAgeMs = options.maxAgeMs;
  }

  get size(): number {
    return this.#firstSeen.size;
  }

  /** True when `eventId` was seen inside the window; otherwise remembers it and returns false. */
  checkAndRemember(eventId: string, now: number): boolean {
    this.#clock = Math.max(this.#clock, now);
    this.#evictExpired();
    if (this.#firstSeen.has(eventId)) return true;
    this.#firstSeen.set(eventId, this.#clock);
    this.#ring.push(eventId);
    if (this.#firstSeen.size > this.maxEntries) this.#evictOldest();
    return false;
  }

  #evictOldest(): void {
    const oldest = this.#ring[this.#head]!;
    this.#firstSeen.delete(oldest);
    this.#head++;
    // Compact the consumed head now and then (amortised O(1)).
    if (this.#head >= 1024 && this.#head * 2 >= this.#ring.length) {
      this.#ring.splice(0, this.#head);
      this.#head = 0;
    }
  }

  #evictExpired(): void {
    const cutoff = this.#clock - this.maxAgeMs;
    while (this.#head < this.#ring.length) {
      const seenAt = this.#firstSeen.get(this.#ring[this.#head]!)!;
      if (seenAt > cutoff) return;
      this.#evictOldest();
    }
  }
}
