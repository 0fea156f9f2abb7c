// Transaction markers (and aborted records) are never handed to a batch handler, so a stage that
// commits "last message + 1" stops one or two offsets short of the end of a transactional topic
// for good: an idle partition reads a lag of 1-2 forever (what the lag alert and KEDA read), and
// nothing can tell "caught up" from "stuck one record short" (KAFKA-6607; Kafka Streams commits the
// consumer's position instead). This tracks, per partition, how far past its committed offset the
// consumer skipped only such records, and commits that position once the partition is idle.
//
// Only records kafkajs filtered out right after a committed point are skipped: the tail of a
// committed batch past its last message, or a fetch of markers alone that starts exactly where the
// last commit (or skip) ended — after a rebalance, where the group's committed offset stood (read
// from the broker). A batch that was not committed (a failed or stale one) breaks the chain, and a
// rebalance clears it: nothing that was not processed is ever committed past.

const key = (topic: string, partition: number): string => `${partition}\u0000${topic}`;

export interface MarkerCommit {
  topic: string;
  partition: number;
  /** The next offset to read: every offset below it was processed or was a marker. */
  offset: bigint;
}

interface PartitionMarkers {
  /** The next offset known committed: by this member's last batch or marker commit, or read from
   *  the broker after the last rebalance (where the consumer started). */
  base?: bigint;
  /** The consumer's position past filtered records, where it is ahead of `base`. */
  skipped?: bigint;
  /** Filtered fetches seen before any base was known, [first, last], contiguous. */
  early?: { first: bigint; last: bigint };
}

export class MarkerOffsets {
  private readonly partitions = new Map<string, PartitionMarkers & { topic: string; partition: number }>();

  private of(topic: string, partition: number): PartitionMarkers & { topic: string; partition: number } {
    const k = key(topic, partition);
    let p = this.partitions.get(k);
    if (!p) this.partitions.set(k, (p = { topic, partition }));
    return p;
  }

  /** A batch's offsets were committed up to `next`; the fetch it came in ended at `fetchEnd`
   *  (kafkajs batch.lastOffset() + 1: markers and aborted records after its last message). */
  batchCommitted(topic: string, partition: number, next: bigint, fetchEnd: bigint): void {
    const p = this.of(topic, partition);
    p.base = next;
    p.skipped = fetchEnd > next ? fetchEnd : undefined;
    p.early = undefined;
  }

  /** A fetch held markers or aborted records alone, [first, last]: skipped if it starts where
   *  the partition's committed (or already skipped) records end. */
  filteredFetch(topic: string, partition: number, first: bigint, last: bigint): void {
    const p = this.of(topic, partition);
    const at = p.skipped ?? p.base;
    if (at === undefined) {
      // Just after a rebalance: kept until the broker says where the group's offsets stand.
      if (!p.early) p.early = { first, last };
      else if (first === p.early.last + 1n) p.early.last = last;
      return;
    }
    if (first === at) p.skipped = last + 1n;
  }

  /** The group's committed offset as the broker reported it: the start of a partition this member
   *  has committed nothing on since the last rebalance (the consumer started reading there). */
  brokerCommitted(topic: string, partition: number, committed: bigint): void {
    const p = this.partitions.get(key(topic, partition));
    if (committed < 0n || (p && p.base !== undefined)) return;
    const q = p ?? this.of(topic, partition);
    q.base = committed;
    if (q.early?.first === committed) q.skipped = q.early.last + 1n;
    q.early = undefined;
  }

  /** Positions to commit: partitions whose consumer skipped past their committed offset. */
  pending(): MarkerCommit[] {
    return [...this.partitions.values()].flatMap((p) =>
      p.skipped !== undefined && p.base !== undefined && p.skipped > p.base
        ? [{ topic: p.topic, partition: p.partition, offset: p.skipped }]
        : [],
    );
  }

  /** The commit of `pending()` entries succeeded. */
  markCommitted(commits: readonly MarkerCommit[]): void {
    for (const c of commits) {
      const p = this.partitions.get(key(c.topic, c.partition));
      if (!p || p.skipped !== c.offset) continue; // a batch moved on meanwhile
      p.base = c.offset;
      p.skipped = undefined;
    }
  }

  /** A rebalance: the consumer restarts from the broker's committed offsets. */
  clear(): void {
    this.partitions.clear();
  }
}

/** How long a partition goes without a batch before the markers after its last one are committed. */
export const MARKER_COMMIT_IDLE_MS = 500;

/** Commits the skipped markers of partitions idle for MARKER_COMMIT_IDLE_MS (others keep taking
 *  batches meanwhile), one commit at a time; a batch of a partition in that commit awaits it first
 *  (`beforeBatch`), so no commit of markers overtakes a batch's own commit on the same partition,
 *  and a commit retrying through a broker outage holds up no other partition. */
export class MarkerCommitter {
  readonly offsets = new MarkerOffsets();
  private readonly lastBatchAt = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  private committing: Promise<void> = Promise.resolve();
  /** The partitions of the commit in flight. */
  private readonly committingKeys = new Set<string>();
  private busy = false;
  private readonly timer: NodeJS.Timeout;

  private readonly commit: (commits: readonly MarkerCommit[]) => Promise<void>;
  private readonly onError: (err: unknown) => void;

  constructor(
    commit: (commits: readonly MarkerCommit[]) => Promise<void>,
    onError: (err: unknown) => void,
    idleMs = MARKER_COMMIT_IDLE_MS,
  ) {
    this.commit = commit;
    this.onError = onError;
    this.timer = setInterval(() => this.tick(idleMs), Math.max(50, idleMs / 2));
    this.timer.unref();
  }

  private tick(idleMs: number): void {
    if (this.busy) return;
    const now = Date.now();
    const due = this.offsets.pending().filter((c) => {
      const k = key(c.topic, c.partition);
      return !this.inFlight.has(k) && now - (this.lastBatchAt.get(k) ?? 0) >= idleMs;
    });
    if (due.length === 0) return;
    this.busy = true;
    for (const c of due) this.committingKeys.add(key(c.topic, c.partition));
    this.committing = this.commit(due).then(
      () => this.offsets.markCommitted(due),
      (err: unknown) => this.onError(err), // pending still: the next tick tries again
    );
    void this.committing.finally(() => {
      this.busy = false;
      this.committingKeys.clear();
    });
  }

  /** A batch of the partition starts: after any commit of markers in flight. */
  async beforeBatch(topic: string, partition: number): Promise<void> {
    const k = key(topic, partition);
    this.inFlight.add(k);
    this.lastBatchAt.set(k, Date.now());
    if (this.committingKeys.has(k)) await this.committing;
  }

  /** The batch ended (committed or not). */
  afterBatch(topic: string, partition: number): void {
    const k = key(topic, partition);
    this.inFlight.delete(k);
    this.lastBatchAt.set(k, Date.now());
  }

  /** A fetch of markers alone (kafkajs hands it to no handler). */
  filteredFetch(topic: string, partition: number, first: bigint, last: bigint): void {
    this.offsets.filteredFetch(topic, partition, first, last);
    this.lastBatchAt.set(key(topic, partition), Date.now());
  }

  /** A rebalance: everything known is forgotten (the consumer restarts from committed offsets). */
  clear(): void {
    this.offsets.clear();
  }

  /** No more commits (one in flight goes on; `settled` resolves with it). */
  stop(): void {
    clearInterval(this.timer);
  }

  settled(): Promise<void> {
    return this.committing;
  }
}
