// Fencing for a stage whose partitions are spread over many instances (the ingest), the way Kafka
// Streams did it before KIP-447: one transactional producer per input partition, its
// transactional id derived from the group, topic and partition — never from the instance. The
// member that takes a partition over initialises the same id: the broker aborts what the previous
// owner left open and refuses it every later write (PRODUCER_FENCED). kafkajs cannot fence by
// group generation (its TxnOffsetCommit carries no member id), so this is how a zombie — a member
// stalled past its session that wakes up mid-batch — is kept from committing a batch twice.
//
// After fencing, the partition's committed offset is read again: a zombie may have committed
// between kafkajs's offset fetch at assignment and our fencing, and the messages below that
// offset (the floor) are already in the output topics.
//
// Fencing cuts both ways: a zombie that initialises a partition's id fences the partition's
// rightful owner. So a member that went a session without a heartbeat creates no producer
// (StaleMemberError): it learns it was left behind at its next heartbeat, and rejoins.
import type { Admin, Kafka } from 'kafkajs';
import { createTransactionalProducer } from './producer.ts';
import type { SendTurn } from './producer.ts';
import type { TransactionalProducer } from './producer.ts';

export interface PartitionClaim {
  producer: TransactionalProducer;
  /** The group's committed offset read after fencing: messages below it are done. */
  floor: bigint;
}

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export const partitionTransactionalId = (groupId: string, topic: string, partition: number): string =>
  `${groupId}-${topic}-${partition}`;

export class PartitionProducers {
  readonly #kafka: Kafka;
  readonly #groupId: string;
  readonly #claims = new Map<string, Promise<PartitionClaim>>();
  #admin: Promise<Admin> | null = null;

  readonly #sendTurn: SendTurn | undefined;

  /** `sendTurn`: the producers' sends in one queue (producer.ts sendTurns). */
  constructor(kafka: Kafka, groupId: string, sendTurn?: SendTurn) {
    this.#kafka = kafka;
    this.#groupId = groupId;
    this.#sendTurn = sendTurn;
  }

  /** The partition's producer, created (fencing every earlier holder of its id) on first use —
   *  only while `memberFresh()` holds (BatchControl.memberFresh). */
  claim(topic: string, partition: number, memberFresh: () => boolean): Promise<PartitionClaim> {
    const key = keyOf(topic, partition);
    let claim = this.#claims.get(key);
    if (!claim) {
      claim = this.#fence(topic, partition, memberFresh);
      this.#claims.set(key, claim);
      // A claim that failed (broker away) is forgotten, so the redelivered batch tries again.
      claim.catch(() => {
        if (this.#claims.get(key) === claim) this.#claims.delete(key);
      });
    }
    return claim;
  }

  /** Forgets the partition's producer (fenced, or the partition moved); the next claim fences anew. */
  release(topic: string, partition: number): void {
    const key = keyOf(topic, partition);
    const claim = this.#claims.get(key);
    this.#claims.delete(key);
    void claim?.then((c) => c.producer.disconnect()).catch(() => undefined);
  }

  /** Keeps the producers of the partitions in `assignment`, releases the others. */
  retain(assignment: Readonly<Record<string, readonly number[]>>): void {
    const owned = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment))
      for (const p of partitions) owned.add(keyOf(topic, p));
    for (const key of [...this.#claims.keys()]) {
      if (owned.has(key)) continue;
      const [topic, partition] = key.split('\u0000') as [string, string];
      this.release(topic, Number(partition));
    }
  }

  get size(): number {
    return this.#claims.size;
  }

  async disconnectAll(): Promise<void> {
    const claims = [...this.#claims.values()];
    this.#claims.clear();
    await Promise.all(claims.map((c) => c.then((x) => x.producer.disconnect()).catch(() => undefined)));
    const admin = this.#admin;
    this.#admin = null;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }

  async #fence(topic: string, partition: number, memberFresh: () => boolean): Promise<PartitionClaim> {
    const producer = await createTransactionalProducer(
      this.#kafka,
      partitionTransactionalId(this.#groupId, topic, partition),
      memberFresh,
      this.#sendTurn,
    );
    try {
      return { producer, floor: await this.#committed(topic, partition) };
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  async #committed(topic: string, partition: number): Promise<bigint> {
    if (!this.#admin) {
      const admin = this.#kafka.admin();
      this.#admin = admin.connect().then(() => admin);
      this.#admin.catch(() => (this.#admin = null));
    }
    const admin = await this.#admin;
    const [offsets] = await admin.fetchOffsets({ groupId: this.#groupId, topics: [topic] });
    const offset = offsets?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    return BigInt(offset) < 0n ? 0n : BigInt(offset);
  }
}
