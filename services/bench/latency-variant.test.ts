import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVariant } from './latency-variant.ts';

test('a variant is a name and its environment overrides', () => {
  assert.deepEqual(parseVariant('default'), { name: 'default', env: {} });
  assert.deepEqual(parseVariant('i12=INGEST_PARTITIONS_CONCURRENTLY=12,TOPIC_PARTITIONS=3'), {
    name: 'i12',
    env: { INGEST_PARTITIONS_CONCURRENTLY: '12', TOPIC_PARTITIONS: '3' },
  });
  // A value may hold '=' (only the first one of a pair splits it).
  assert.deepEqual(parseVariant('x=KAFKA_OPTS=a=b'), { name: 'x', env: { KAFKA_OPTS: 'a=b' } });
});

test('a variant without a name, or with a pair that is not KEY=VALUE, is refused', () => {
  assert.throws(() => parseVariant('=A=1'), /no name/);
  assert.throws(() => parseVariant('v=A'), /not KEY=VALUE/);
  assert.throws(() => parseVariant('v=A=1,=2'), /not KEY=VALUE/);
});
