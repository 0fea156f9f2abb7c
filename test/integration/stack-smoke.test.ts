// Smoke tests proving the local stack is real: a Kafka broker with consumer groups, a
// Confluent-compatible Schema Registry, and the ClickHouse engine with dedup tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { testClickHouse, testKafka, testRegistry, uniqueName, waitFor } from '../support/stack.ts';

test('kafka: create a topic, produce and consume in a consumer group', async () => {
  const kafka = testKafka();
  const topic = uniqueName('smoke');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  const sent = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 7}`, value: `v${i}` }));
  await producer.send({ topic, messages: sent });
  const consumer = kafka.consumer({ groupId: uniqueName('smoke-group') });
  const received: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.push(String(message.value)) });
    // A plain consumer group delivers at least once: a rebalance before a partition's first commit
    // hands its messages out again (seen once in CI: two partitions read twice). Each message is
    // there, and nothing else.
    await waitFor('30 messages', () => (new Set(received).size >= 30 ? true : undefined));
    assert.deepEqual([...new Set(received)].sort(), sent.map((m) => m.value).sort());
    const offsets = await admin.fetchTopicOffsets(topic);
    assert.equal(
      offsets.reduce((sum, p) => sum + Number(p.high), 0),
      30,
    );
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
});

test('schema registry: register Avro, produce a Confluent-framed message, consume and decode it', async () => {
  const registry = testRegistry();
  const subject = uniqueName('smoke-value');
  const schema = {
    type: 'record',
    name: 'Smoke',
    namespace: 'test.smoke',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'n', type: 'int' },
    ],
  };
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
    { subject },
  );
  assert.ok(id > 0);
  const encoded = await registry.encode(id, { id: 'abc', n: 42 });
  assert.equal(encoded[0], 0, 'magic byte');
  assert.equal(encoded.readInt32BE(1), id, 'schema id in the frame');

  const kafka = testKafka();
  const topic = uniqueName('smoke-avro');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'abc', value: encoded }] });
  const consumer = kafka.consumer({ groupId: uniqueName('smoke-avro-group') });
  let decoded: unknown;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        // A fresh registry client: the writer schema must come from the registry, not a cache.
        decoded = await testRegistry().decode(message.value as Buffer);
      },
    });
    await waitFor('decoded message', () => decoded);
    assert.deepEqual({ ...(decoded as object) }, { id: 'abc', n: 42 });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
});

test('clickhouse: DateTime64 + LowCardinality MergeTree; the same batch twice with one dedup token is stored once', async () => {
  const client = testClickHouse();
  const table = uniqueName('smoke_events');
  try {
    await client.command({
      query: `CREATE TABLE ${table} (
                event_id String, kind LowCardinality(String), event_time DateTime64(3, 'UTC'))
              ENGINE = MergeTree PARTITION BY toYYYYMM(event_time) ORDER BY (kind, event_time, event_id)
              SETTINGS non_replicated_deduplication_window = 1000`,
    });
    const batch = [
      { event_id: 'e1', kind: 'track', event_time: '2026-01-02 03:04:05.678' },
      { event_id: 'e2', kind: 'page', event_time: '2026-01-02 03:04:06.000' },
    ];
    for (let attempt = 0; attempt < 2; attempt++) {
      await client.insert({
        table,
        values: batch,
        format: 'JSONEachRow',
        clickhouse_settings: { insert_deduplication_token: 'smoke:0:0-1' },
      });
    }
    const rows = await (
      await client.query({
        query: `SELECT event_id, kind, toString(event_time) AS t, toTypeName(event_time) AS ty, toTypeName(kind) AS ky
                FROM ${table} ORDER BY event_id`,
        format: 'JSONEachRow',
      })
    ).json();
    assert.deepEqual(rows, [
      {
        event_id: 'e1',
        kind: 'track',
        t: '2026-01-02 03:04:05.678',
        ty: "DateTime64(3, 'UTC')",
        ky: 'LowCardinality(String)',
      },
      {
        event_id: 'e2',
        kind: 'page',
        t: '2026-01-02 03:04:06.000',
        ty: "DateTime64(3, 'UTC')",
        ky: 'LowCardinality(String)',
      },
    ]);
  } finally {
    await client.command({ query: `DROP TABLE IF EXISTS ${table}` });
    await client.close();
  }
});
