// Group commit: the batches of one fetch (one per partition, handled concurrently) share Kafka
// transactions instead of taking one each. Every handler submits its outputs and offsets and
// awaits the commit; what is submitted while a transaction is in flight goes into the next one,
// together. Per partition the order is kept (the consumer hands out a partition's next batch only
// after this one settled), and exactly-once holds as with one transaction per batch:
//   * a failed transaction fails every batch in it — none is committed, each handler throws and its
//     partition is redelivered from the last committed offset;
//   * a batch whose partition was revoked before its transaction starts is left out (resolves
//     false: not committed, its new owner redoes it). Once the transaction has started it commits:
//     the consumer does not rejoin the group before every handler of the fetch has returned.
import type { ConsumedOffsets, OutboundMessage, TransactionalProducer } from './producer.ts';

export interface CommitRequest {
  messages: readonly OutboundMessage[];
  offsets: ConsumedOffsets;
  /** True when a rebalance took the partition away: leave the batch out. */
  isStale(): boolean;
}

export interface GroupCommitter {
  /** Resolves true once committed, false when left out (stale); rejects when the transaction failed. */
  commit(request: CommitRequest): Promise<boolean>;
}

interface Waiting {
  request: CommitRequest;
  resolve(committed: boolean): void;
  reject(err: unknown): void;
}

export function createGroupCommitter(
  producer: Pick<TransactionalProducer, 'sendWithOffsets'>,
): GroupCommitter {
  let waiting: Waiting[] = [];
  let flushing = false;

  const flush = async (): Promise<void> => {
    flushing = true;
    while (waiting.length > 0) {
      const group = waiting;
      waiting = [];
      const live = group.filter((w) => {
        if (!w.request.isStale()) return true;
        w.resolve(false);
        return false;
      });
      if (live.length === 0) continue;
      const messages = live.flatMap((w) => w.request.messages);
      try {
        await producer.sendWithOffsets(
          messages,
          live.map((w) => w.request.offsets),
        );
        for (const w of live) w.resolve(true);
      } catch (err) {
        for (const w of live) w.reject(err);
      }
    }
    flushing = false;
  };

  return {
    commit: (request) =>
      new Promise<boolean>((resolve, reject) => {
        waiting.push({ request, resolve, reject });
        // The handlers of one fetch submit within the same turn of the event loop (their work is
        // synchronous once the schemas are cached): the first submission waits for the others.
        if (!flushing && waiting.length === 1) setImmediate(() => void flush());
      }),
  };
}
