// `make bench-kafka-clients`: the Kafka client's own cost, kafkajs beside @platformatic/kafka, on
// the loop every stage of the pipeline runs (issue #18: where the CPU goes, and whether another
// client would be worth its port). An input topic is filled once, in transactions of 500 (as the
// stages write theirs); then for each run each client relays it in its own process
// (relay-kafkajs.ts, relay-platformatic.ts): read_committed fetches, one transaction per batch with
// its messages and its input offsets. Prints messages/s and the worker's CPU seconds per 1,000
// messages, side by side, the ratios platformatic / kafkajs, and checks every output holds each
// input message exactly once.
//   node services/bench/kafka-clients/kafka-clients-main.ts [--messages 100000] [--partitions 2]
//        [--size 600] [--runs 1]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Kafka } from 'kafkajs';
import { loadConfig } from '../../shared/config/config.ts';
import { createKafka } from '../../shared/kafka/kafka-client.ts';
import { ensureTopics } from '../../shared/kafka/topics.ts';
import { summarizeRuns } from '../bench-stats.ts';
import { fmt } from '../report-format.ts';
import { countFlags } from '../count-flags.ts';
import type { RelayFigures, RelayTask } from './relay-protocol.ts';

const {
  messages: MESSAGES,
  partitions: PARTITIONS,
  size: SIZE,
  runs: RUNS,
} = countFlags(
  { messages: 100_000, partitions: 2, size: 600, runs: 1 },
  'kafka-clients-main.ts [--messages 100000] [--partitions 2] [--size 600] [--runs 1]',
);
const CLIENTS = ['kafkajs', 'platformatic'] as const;
type Client = (typeof CLIENTS)[number];
const FILL_TRANSACTION = 500;

const prefix = `bench-clients-${Date.now().toString(36)}`;

/** A canonical-event-sized JSON value: what the stages relay. */
function value(i: number): string {
  const body = { event_id: `evt-${i}`, account: `acc-${i % 997}`, type: 'track', n: i };
  const json = JSON.stringify(body);
  return JSON.stringify({ ...body, pad: 'x'.repeat(Math.max(0, SIZE - json.length - 10)) });
}

async function fill(kafka: Kafka, topic: string): Promise<void> {
  const producer = kafka.producer({
    transactionalId: `${prefix}-fill`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    for (let start = 0; start < MESSAGES; start += FILL_TRANSACTION) {
      const tx = await producer.transaction();
      const n = Math.min(FILL_TRANSACTION, MESSAGES - start);
      await tx.send({
        topic,
        messages: Array.from({ length: n }, (_, k) => ({
          key: `acc-${(start + k) % 997}`,
          value: value(start + k),
        })),
      });
      await tx.commit();
    }
  } finally {
    await producer.disconnect();
  }
}

/** The output's messages (read_committed): how many, and how many distinct event ids. */
async function countOutput(kafka: Kafka, topic: string): Promise<{ total: number; distinct: number }> {
  const consumer = kafka.consumer({ groupId: `${topic}-count` });
  const seen = new Set<string>();
  let total = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              total++;
              seen.add(String(m.value).slice(0, 40));
            }
            if (total >= MESSAGES) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return { total, distinct: seen.size };
}

function relay(client: Client, task: RelayTask): Promise<RelayFigures> {
  const script = fileURLToPath(new URL(`./relay-${client}.ts`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(task)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{'))
        reject(new Error(`relay-${client} exited ${code}: ${out.slice(-500)}`));
      else resolve(JSON.parse(last) as RelayFigures);
    });
  });
}

const config = loadConfig({
  ...process.env,
  PII_HMAC_KEY: process.env.PII_HMAC_KEY ?? 'bench-clients-not-a-secret',
});
const kafka = createKafka(config, 'bench-clients');
const admin = kafka.admin();
await admin.connect();
const input = `${prefix}-in`;
const outputs = CLIENTS.flatMap((c) => Array.from({ length: RUNS }, (_, r) => `${prefix}-out-${c}-${r}`));
// ensureTopics: right after creation the broker's metadata can lag (UNKNOWN_TOPIC_OR_PARTITION,
// which kafkajs's own wait does not retry).
await ensureTopics(
  kafka,
  [input, ...outputs].map((topic) => ({ topic, partitions: PARTITIONS })),
);
console.log(
  `bench-kafka-clients: ${fmt(MESSAGES)} messages of ~${SIZE} B in ${PARTITIONS} partition(s), ${RUNS} run(s)`,
);
await fill(kafka, input);
const results: Record<Client, RelayFigures[]> = { kafkajs: [], platformatic: [] };
let failures = 0;
for (let run = 0; run < RUNS; run++) {
  for (const client of CLIENTS) {
    const output = `${prefix}-out-${client}-${run}`;
    const figures = await relay(client, {
      brokers: config.KAFKA_BROKERS.split(','),
      input,
      output,
      groupId: `${prefix}-${client}-${run}`,
      transactionalId: `${prefix}-${client}-${run}-tx`,
      messages: MESSAGES,
    });
    const counted = await countOutput(kafka, output);
    const exact = counted.total === MESSAGES && counted.distinct === MESSAGES;
    if (!exact) failures++;
    results[client].push(figures);
    console.log(
      `  run ${run + 1} ${client.padEnd(12)} ${fmt(figures.messages / figures.seconds).padStart(8)} msg/s  ` +
        `${fmt((figures.cpuSeconds * 1000) / figures.messages, 3)} CPU s/1k  ` +
        `${fmt(figures.messages / figures.transactions)} msg/tx  output ${fmt(counted.total)} (${exact ? 'exact' : 'NOT EXACT'})`,
    );
  }
}
await admin.deleteTopics({ topics: [input, ...outputs] }).catch(() => undefined);
await admin.disconnect();

const summary = (client: Client) => ({
  rate: summarizeRuns(results[client].map((f) => f.messages / f.seconds)).median,
  cpu: summarizeRuns(results[client].map((f) => (f.cpuSeconds * 1000) / f.messages)).median,
  perTx: summarizeRuns(results[client].map((f) => f.messages / f.transactions)).median,
});
const k = summary('kafkajs');
const p = summary('platformatic');
console.log('');
console.log('client         msg/s   CPU s/1k  msg/tx   (medians)');
for (const [name, s] of [
  ['kafkajs', k],
  ['platformatic', p],
] as const)
  console.log(
    `${name.padEnd(12)} ${fmt(s.rate).padStart(7)}   ${fmt(s.cpu, 3).padStart(8)}  ${fmt(s.perTx).padStart(6)}`,
  );
console.log(
  `platformatic / kafkajs: throughput ${fmt(p.rate / k.rate, 2)}x, CPU per message ${fmt(p.cpu / k.cpu, 2)}x`,
);
if (failures > 0) {
  console.error(`${failures} relay(s) did not write every message exactly once`);
  process.exitCode = 1;
}
