// Back-to-back Kafka transactions on one transactional id, as every stage commits its batches of
// one partition: how long each transaction takes with kafkajs's retry of a refused send left as the
// client's (200 ms) and with the stages' TRANSACTIONAL_SEND_RETRY (20 ms), side by side. A
// transaction that begins while the broker is still writing the previous one's markers has its
// first send refused (CONCURRENT_TRANSACTIONS) and waits out the retry: the tail below.
//   node services/bench/transaction-latency.ts [--transactions 500] [--runs 3]
import type { Kafka, RetryOptions } from 'kafkajs';
import { loadConfig } from '../shared/config/config.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import { TRANSACTIONAL_SEND_RETRY } from '../shared/kafka/producer.ts';
import { ensureTopics } from '../shared/kafka/topics.ts';
import { countFlags } from './count-flags.ts';

const { transactions: TRANSACTIONS, runs: RUNS } = countFlags(
  { transactions: 500, runs: 3 },
  'transaction-latency.ts [--transactions 500] [--runs 3]',
);
const SETTINGS: Array<[string, RetryOptions | undefined]> = [
  ['client retry (200 ms)', undefined],
  ['TRANSACTIONAL_SEND_RETRY', TRANSACTIONAL_SEND_RETRY],
];

/** Milliseconds of each of `n` transactions of one 300-byte message, one after another. */
async function transactionTimes(
  kafka: Kafka,
  topic: string,
  id: string,
  retry?: RetryOptions,
): Promise<number[]> {
  const producer = kafka.producer({
    transactionalId: id,
    idempotent: true,
    maxInFlightRequests: 1,
    ...(retry ? { retry } : {}),
  });
  await producer.connect();
  try {
    const times: number[] = [];
    for (let i = 0; i < TRANSACTIONS; i++) {
      const started = performance.now();
      const transaction = await producer.transaction();
      await transaction.send({ topic, acks: -1, messages: [{ value: 'x'.repeat(300) }] });
      await transaction.commit();
      times.push(performance.now() - started);
    }
    return times;
  } finally {
    await producer.disconnect();
  }
}

const quantile = (sorted: number[], q: number): number => sorted[Math.floor(q * (sorted.length - 1))]!;

// Only the Kafka settings are read; the PII key the loader requires pseudonymises nothing here.
const config = loadConfig({ ...process.env, PII_HMAC_KEY: process.env.PII_HMAC_KEY ?? 'bench-not-a-secret' });
const kafka = createKafka(config, 'bench-transaction-latency');
const prefix = `bench-txn-${Date.now().toString(36)}`;
const topic = `${prefix}.out`;
await ensureTopics(kafka, [{ topic, partitions: 1 }]);
const admin = kafka.admin();
await admin.connect();
try {
  const all = new Map<string, number[]>(SETTINGS.map(([name]) => [name, []]));
  for (let run = 1; run <= RUNS; run++)
    for (const [index, [name, retry]] of SETTINGS.entries())
      all.get(name)!.push(...(await transactionTimes(kafka, topic, `${prefix}-${run}-${index}`, retry)));
  console.log(`${TRANSACTIONS} back-to-back transactions x ${RUNS} runs per setting (ms)`);
  for (const [name, times] of all) {
    const sorted = [...times].sort((a, b) => a - b);
    const slow = sorted.filter((t) => t >= 100).length;
    console.log(
      `  ${name.padEnd(26)} p50 ${quantile(sorted, 0.5).toFixed(1)}  p90 ${quantile(sorted, 0.9).toFixed(1)}  p99 ${quantile(sorted, 0.99).toFixed(1)}  max ${sorted[sorted.length - 1]!.toFixed(1)}  >= 100 ms: ${slow} (${((100 * slow) / sorted.length).toFixed(1)} %)`,
    );
  }
} finally {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}
