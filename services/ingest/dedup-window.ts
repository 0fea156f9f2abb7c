// Bounded memory of recently seen event ids, to recognise duplicate deliveries (SPEC §1).
// An id counts as a duplicate when it was first seen less than maxAgeMs ago and is still among
// the last maxEntries ids remembered. O(1) per call (amortised): a Map keeps insertion order, so
// the oldest entries are at its head and are evicted from there, by count and by age.
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
    if (this.#firstSeen.size > this.maxEntries) {
      const oldest = this.#firstSeen.keys().next().value as string;
      this.#firstSeen.delete(oldest);
    }
    return false;
  }

  #evictExpired(): void {
    const cutoff = this.#clock - this.maxAgeMs;
    for (const [id, seenAt] of this.#firstSeen) {
      if (seenAt > cutoff) return;
      this.#firstSeen.delete(id);
    }
  }
}
