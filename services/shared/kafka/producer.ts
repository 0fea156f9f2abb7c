// An idempotent producer (acks=all, one in-flight request) that sends a batch's outputs to
// several topics in one call and resolves only when the brokers acknowledged all of them.
import { CompressionTypes } from 'kafkajs';
import type { Kafka, Producer } from 'kafkajs';
import { StaleMemberError } from './batch-consumer.ts';
import { keyPartitioner } from './key-partitioner.ts';

export interface OutboundMessage {
  topic: string;
  key: string | Buffer | null;
  /** null: a tombstone (deletes the key from a compacted topic). */
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer>;
  /** Explicit partition (changelogs are co-partitioned with their input); else by key. */
  partition?: number;
  timestampMs?: number;
}

export interface OutputProducer {
  send(messages: OutboundMessage[]): Promise<void>;
  disconnect(): Promise<void>;
  producer: Producer;
}

function topicMessages(messages: readonly OutboundMessage[]) {
  const byTopic = new Map<string, OutboundMessage[]>();
  for (const m of messages) {
    const list = byTopic.get(m.topic) ?? [];
    list.push(m);
    byTopic.set(m.topic, list);
  }
  return [...byTopic].map(([topic, list]) => ({
    topic,
    messages: list.map((m) => ({
      key: m.key,
      value: m.value,
      ...(m.partition !== undefined ? { partition: m.partition } : {}),
      ...(m.headers ? { headers: m.headers } : {}),
      ...(m.timestampMs !== undefined ? { timestamp: String(m.timestampMs) } : {}),
    })),
  }));
}

const CHUNK_BYTES = 900_000;

const sizeOf = (m: OutboundMessage): number =>
  (m.value === null ? 0 : typeof m.value === 'string' ? Buffer.byteLength(m.value) : m.value.length) + 256;

/** Splits outputs into sends of at most ~900 KB, so no record batch exceeds the broker's default
 *  1 MB limit; a message larger than that goes alone (its topic must allow it, e.g. the DLQ). */
export function chunkBySize(messages: readonly OutboundMessage[], limit = CHUNK_BYTES): OutboundMessage[][] {
  const chunks: OutboundMessage[][] = [];
  let current: OutboundMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = sizeOf(m);
    if (current.length > 0 && bytes + size > limit) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export interface ConsumedOffsets {
  groupId: string;
  topic: string;
  partition: number;
  /** The next offset to consume (last processed + 1). */
  offset: string;
}

/** Work that must succeed before the transaction may commit (the batch's ClickHouse inserts). It
 *  runs while the messages are sent; resolving false (the partition was revoked meanwhile) aborts
 *  the transaction, rejecting aborts it and rethrows. */
export type CommitGate = () => Promise<boolean>;

export interface TransactionalProducer {
  /** Sends every message and commits the consumer offsets in one Kafka transaction: all of it
   *  becomes visible to read_committed consumers (and changelog restores) or none of it. With a
   *  `gate`, the commit waits for it: true when committed, false when the gate refused. */
  sendWithOffsets(
    messages: readonly OutboundMessage[],
    offsets: ConsumedOffsets | null,
    gate?: CommitGate,
    /** Messages known only once the gate passed (dead letters of rows ClickHouse refused): sent
     *  in the same transaction, before the offsets. */
    late?: () => readonly OutboundMessage[],
  ): Promise<boolean>;
  disconnect(): Promise<void>;
}

/** Long enough for a gate that retries ClickHouse through its whole backoff budget twice (~50 s);
 *  the broker aborts a transaction left open longer (transaction.max.timeout.ms allows 15 min). */
const TRANSACTION_TIMEOUT_MS = 120_000;

/** The sends' retries. A transaction that begins right after the previous one committed on the
 *  same id finds the broker still writing that one's markers, and its first send is refused with
 *  CONCURRENT_TRANSACTIONS for a few milliseconds; kafkajs retried it after the client's
 *  `initialRetryTime` (200 ms here), so 3-5 % of back-to-back transactions took 200-250 ms
 *  (p99 221 ms against p50 2 ms, `make bench-transactions`). 20 ms, as Java's producer retries that
 *  error, doubling; 11 retries (~41 s in all, the client's 8 from 200 ms were ~51 s), so a send
 *  that cannot succeed (a topic gone, the broker away) still fails its batch — restored, retried
 *  and reported unhealthy — instead of holding it for ever. kafkajs gives a producer the client's
 *  retry merged with this one; its transaction manager (InitProducerId, the offsets' commit) keeps
 *  the client's. */
export const TRANSACTIONAL_SEND_RETRY = { initialRetryTime: 20, retries: 11 };

/** A transaction's offsets. Its first request to the coordinator is refused with
 *  CONCURRENT_TRANSACTIONS while the previous transaction on the id is still completing; a send
 *  first (above) is retried by kafkajs, but its AddOffsetsToTxn is not: a transaction with offsets
 *  and nothing to send (a batch of duplicates only) right after another failed in ~40 % of tries,
 *  and its batch was restored and redelivered. Retried here as the sends are (20 ms, doubling), for
 *  as long as the refusal lasts up to ~20 s; any other error is thrown at once. */
async function sendOffsetsRetried(send: () => Promise<void>): Promise<void> {
  for (let attempt = 0, waitMs = TRANSACTIONAL_SEND_RETRY.initialRetryTime; ; attempt++, waitMs *= 2) {
    try {
      return await send();
    } catch (err) {
      if ((err as { type?: string }).type !== 'CONCURRENT_TRANSACTIONS' || attempt >= 10) throw err;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/** The broker refused the producer because a newer one with the same transactional id started
 *  (INVALID_PRODUCER_EPOCH / PRODUCER_FENCED): this instance is a zombie and must stop writing. */
export class ProducerFencedError extends Error {
  constructor(transactionalId: string, options?: { cause?: unknown }) {
    super(
      `producer ${transactionalId} was fenced by a newer instance with the same transactional id`,
      options,
    );
    this.name = 'ProducerFencedError';
  }
}

export function isFencedError(err: unknown): boolean {
  for (
    let e = err as { type?: string; name?: string; cause?: unknown; originalError?: unknown } | undefined,
      depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (/PRODUCER_FENCED|INVALID_PRODUCER_EPOCH/.test(e.type ?? '') || e.name === 'ProducerFencedError')
      return true;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return false;
}

/** Runs `work` when the turns queued before it are done (sendTurns). */
export type SendTurn = <T>(work: () => Promise<T>) => Promise<T>;

/** One queue for the sends of several transactional producers: each transaction's records are all
 *  appended before the next one's start, so two transactions lie in one order in every topic both
 *  write (the ingest's identity.links and canonical topic: docs/architecture.md, step 3). */
export function sendTurns(): SendTurn {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const turn = last.then(work);
    last = turn.catch(() => undefined);
    return turn;
  };
}

/** A transactional producer. Whoever initialises the same transactional id later fences this one:
 *  a fenced producer throws ProducerFencedError and never reconnects by itself (reconnecting would
 *  fence the newer owner in turn). Initialising fences whoever holds the id, the rightful owner
 *  included, so it happens only while `memberFresh()` holds (BatchControl.memberFresh): a member
 *  back from a stall past its session gets StaleMemberError instead, at creation and at the
 *  reconnection after a failed transaction. */
export async function createTransactionalProducer(
  kafka: Kafka,
  transactionalId: string,
  memberFresh: () => boolean,
  /** The transactions' sends (not their commits) in turn with other producers' (sendTurns). */
  sendTurn?: SendTurn,
): Promise<TransactionalProducer> {
  const connect = async (): Promise<Producer> => {
    const p = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      transactionTimeout: TRANSACTION_TIMEOUT_MS,
      retry: TRANSACTIONAL_SEND_RETRY,
      createPartitioner: keyPartitioner,
    });
    try {
      await p.connect();
      // Asked again after the connection, which kafkajs may retry for a while.
      if (!memberFresh())
        throw new StaleMemberError(`the group of transactional producer ${transactionalId}`);
      // kafkajs initialises the transactional id lazily, at the first transaction. Do it now: the
      // InitProducerId aborts whatever an older producer with this id left open and fences it,
      // before this instance restores state or reads a committed offset (a zombie that finishes its
      // batch after we restored would otherwise commit it under our feet).
      await (await p.transaction()).abort();
      return p;
    } catch (err) {
      await p.disconnect().catch(() => undefined);
      throw err;
    }
  };
  const connectIfFresh = async (): Promise<Producer> => {
    // The group id is not known here; the error names the transactional id instead.
    if (!memberFresh()) throw new StaleMemberError(`the group of transactional producer ${transactionalId}`);
    return connect();
  };
  // Null after a failed transaction: reconnected at the next one, if this member is still fresh.
  let producer: Producer | null = await connectIfFresh();
  return {
    sendWithOffsets: async (messages, offsets, gate, late) => {
      producer ??= await connectIfFresh();
      const transaction = await producer.transaction();
      // The gate's I/O overlaps the sends (encoding is this thread's CPU, the inserts are
      // ClickHouse's); it is always awaited, so it never outlives a failed send unobserved.
      const gated = gate ? gate() : Promise.resolve(true);
      gated.catch(() => undefined); // handled below; a rejection during the sends is not "unhandled"
      try {
        const sends = async (): Promise<void> => {
          for (const chunk of chunkBySize(messages))
            await transaction.sendBatch({ acks: -1, topicMessages: topicMessages(chunk) });
        };
        await (sendTurn ? sendTurn(sends) : sends());
        if (!(await gated)) {
          await transaction.abort();
          return false;
        }
        for (const chunk of chunkBySize(late?.() ?? [])) {
          await transaction.sendBatch({ acks: -1, topicMessages: topicMessages(chunk) });
        }
        if (offsets)
          await sendOffsetsRetried(() =>
            transaction.sendOffsets({
              consumerGroupId: offsets.groupId,
              topics: [
                {
                  topic: offsets.topic,
                  partitions: [{ partition: offsets.partition, offset: offsets.offset }],
                },
              ],
            }),
          );
        await transaction.commit();
        return true;
      } catch (err) {
        await gated.catch(() => undefined);
        const failed = producer;
        producer = null;
        if (isFencedError(err)) {
          await failed.disconnect().catch(() => undefined);
          throw new ProducerFencedError(transactionalId, { cause: err });
        }
        await transaction.abort().catch(() => undefined);
        // A failed transaction can leave the producer's sequence numbers out of step with the
        // broker: the next transaction starts a fresh producer with the same transactional id (it
        // bumps the epoch and fences anything left of the old one). Not now: the failure may be
        // this member's staleness (StaleMemberError from the gate), and a zombie that reconnected
        // here would fence the partition's rightful owner.
        await failed.disconnect().catch(() => undefined);
        throw err;
      }
    },
    disconnect: async () => {
      await producer?.disconnect();
    },
  };
}

export async function createOutputProducer(kafka: Kafka): Promise<OutputProducer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: keyPartitioner,
  });
  await producer.connect();
  return {
    producer,
    send: async (messages) => {
      if (messages.length === 0) return;
      for (const chunk of chunkBySize(messages)) {
        await producer.sendBatch({
          acks: -1,
          compression: CompressionTypes.None,
          topicMessages: topicMessages(chunk),
        });
      }
    },
    disconnect: () => producer.disconnect(),
  };
}
