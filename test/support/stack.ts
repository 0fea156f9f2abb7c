// Test support for integration tests against the local stack (make stack-up writes
// .local/stack.env; `make test` exports it). Every test uses its own random topic, group and
// table names, and waits by polling, never by sleeping a fixed time.
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
import { ensureTopics } from '../../services/shared/kafka/topics.ts';
import { silenceKafkajsTimerWarnings } from '../../services/shared/kafka/kafka-client.ts';
import { groupPositions, readToEnd } from '../../services/shared/kafka/group-positions.ts';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';

export interface StackEndpoints {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  clickhouseUrl: string;
}

export function stackEndpoints(): StackEndpoints {
  const missing = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'CLICKHOUSE_URL'].filter(
    (name) => !process.env[name],
  );
  if (missing.length > 0) {
    throw new Error(
      `integration tests need the local stack: ${missing.join(', ')} unset (run through \`make test\`)`,
    );
  }
  return {
    kafkaBrokers: String(process.env.KAFKA_BROKERS).split(','),
    schemaRegistryUrl: String(process.env.SCHEMA_REGISTRY_URL),
    clickhouseUrl: String(process.env.CLICKHOUSE_URL),
  };
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export function testKafka(clientId = uniqueName('test')): Kafka {
  silenceKafkajsTimerWarnings();
  return new Kafka({ clientId, brokers: stackEndpoints().kafkaBrokers, logLevel: logLevel.NOTHING });
}

export function testRegistry(): SchemaRegistry {
  return new SchemaRegistry({ host: stackEndpoints().schemaRegistryUrl });
}

export function testClickHouse(database?: string): ClickHouseClient {
  return createClient({ url: stackEndpoints().clickhouseUrl, ...(database ? { database } : {}) });
}

/** A fresh one-partition topic holding `count` messages m0, m1, ..., and the connected producer
 *  that sent them (disconnected when the test ends), for tests of one consumer's batches. */
export async function topicWithMessages(
  t: TestContext,
  kafka: Kafka,
  prefix: string,
  count: number,
): Promise<{ topic: string; producer: Producer }> {
  const topic = uniqueName(prefix);
  await ensureTopics(kafka, [{ topic, partitions: 1 }]);
  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ value: `m${i}` })) });
  return { topic, producer };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** True once `groupId` has committed every partition of `topics` up to its end (past the
 *  transaction markers there: marker-offsets.ts). */
export async function groupSettled(groupId: string, topics: string[]): Promise<boolean> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    for (const topic of topics)
      if (!(await groupPositions(admin, groupId, topic)).every(readToEnd)) return false;
    return true;
  } finally {
    await admin.disconnect();
  }
}
