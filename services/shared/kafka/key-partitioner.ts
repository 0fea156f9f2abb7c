// The pipeline's producers place messages exactly where kafkajs's default partitioner (the Java
// client's) places them: an explicit partition as given; a key by murmur2 of its bytes, modulo the
// topic's partitions; no key by kafkajs's own round robin. What changes is the cost. kafkajs hashes
// with a 64-bit Long emulation (an object per multiply) and filters the partition list for every
// message before it even looks at an explicit partition: ~5 % of the ingest's and the single
// writer's CPU in a drain (docs/performance.md, session 20). murmur2 here is the same arithmetic
// on 32-bit integers (Math.imul), which is all the hash keeps; key-partitioner.test.ts checks the
// placement against kafkajs's on keys of every length and byte.
import { Partitioners } from 'kafkajs';
import type { ICustomPartitioner } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's murmur2 (the Java client's Utils.murmur2) of `data`, as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= data[whole + 2]! << 16;
    if (tail >= 2) h ^= data[whole + 1]! << 8;
    h = Math.imul(h ^ data[whole]!, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  return h ^ (h >>> 15);
}

const encoder = new TextEncoder();
// Keys are short (ids); one buffer serves every key that fits.
const scratch = new Uint8Array(1024);

/** The UTF-8 bytes kafkajs hashes for a key: a Buffer as it is, anything else as String(key). */
function keyBytes(key: Buffer | string): Uint8Array {
  if (typeof key !== 'string') return Buffer.isBuffer(key) ? key : Buffer.from(String(key));
  const { read, written } = encoder.encodeInto(key, scratch);
  return read === key.length ? scratch.subarray(0, written) : Buffer.from(key);
}

/** The partition of `key` in a topic of `partitions` partitions, as kafkajs and the Java client
 *  place it. Not the journey's own `partitionOfKey` (resolved-record-codec.ts: FNV-1a, which the
 *  route sets explicitly and no client partitioner decides). */
export function kafkaPartitionOfKey(key: Buffer | string, partitions: number): number {
  return (murmur2(keyBytes(key)) & 0x7fffffff) % partitions;
}

/** kafkajs's default partitioner, faster: give it to `kafka.producer({ createPartitioner })`. */
export const keyPartitioner: ICustomPartitioner = () => {
  const roundRobin = Partitioners.DefaultPartitioner();
  return (args) => {
    const { message, partitionMetadata } = args;
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined)
      return kafkaPartitionOfKey(message.key, partitionMetadata.length);
    return roundRobin(args);
  };
};
