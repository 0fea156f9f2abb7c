import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Partitioners } from 'kafkajs';
import type { PartitionMetadata } from 'kafkajs';
import { keyPartitioner, murmur2, kafkaPartitionOfKey } from './key-partitioner.ts';

const metadata = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, i) => ({
    partitionId: i,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));

// A seeded generator, so a failure names keys that fail again.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const next = random(20261206);
const byteKey = (length: number): Buffer =>
  Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
const CHARS = ['a', 'Z', '7', '-', '@', 'é', 'ß', '中', '😀', '\ud800', '\udfff', '\u0000'];
const stringKey = (length: number): string =>
  Array.from({ length }, () => CHARS[Math.floor(next() * CHARS.length)]!).join('');

const keys: Array<Buffer | string> = [
  '',
  'acct-1',
  'user@example.com',
  'x'.repeat(2000), // longer than the scratch buffer
  '😀'.repeat(700), // 1,400 code units, 2,800 bytes
  ...Array.from({ length: 64 }, (_, length) => byteKey(length)),
  ...Array.from({ length: 64 }, (_, length) => stringKey(length)),
  ...Array.from({ length: 3000 }, () =>
    next() < 0.5 ? byteKey(1 + Math.floor(next() * 48)) : stringKey(1 + Math.floor(next() * 40)),
  ),
];

test("every key lands on kafkajs's default partitioner's partition", () => {
  const theirs = Partitioners.DefaultPartitioner();
  const ours = keyPartitioner();
  for (const partitions of [1, 2, 3, 6, 7, 24, 50]) {
    const partitionMetadata = metadata(partitions);
    for (const key of keys) {
      const message = { key, value: null };
      const expected = theirs({ topic: 't', partitionMetadata, message });
      assert.equal(ours({ topic: 't', partitionMetadata, message }), expected, `key ${JSON.stringify(key)}`);
      assert.equal(kafkaPartitionOfKey(key, partitions), expected);
    }
  }
});

test("murmur2 matches the Java client's published values", () => {
  // Kafka's UtilsTest.testMurmur2 (clients/src/test/java/org/apache/kafka/common/utils).
  const cases: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  for (const [key, hash] of cases) assert.equal(murmur2(Buffer.from(key)), hash, key);
});

test('an explicit partition is kept, and a message without a key goes round robin', () => {
  const ours = keyPartitioner();
  const partitionMetadata = metadata(6);
  assert.equal(ours({ topic: 't', partitionMetadata, message: { key: 'k', value: null, partition: 4 } }), 4);
  const seen = new Set<number>();
  for (let i = 0; i < 12; i++) seen.add(ours({ topic: 't', partitionMetadata, message: { value: null } }));
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5]);
});
