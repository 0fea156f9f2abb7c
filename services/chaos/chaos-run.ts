// One fault-injection run: fresh topics and database, the stages as separate processes, the
// chaos stream produced at a steady rate while the scenario's faults run, then — once both groups
// are at the end of their topics — the oracle's figures.
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { mkdirSync } from 'node:fs';
import { runEnv } from '../bench/bench-config.ts';
import { pipelineTopics } from '../shared/kafka/pipeline-topics.ts';
import { inputAvroType, inputSchemaText } from '../ingest/input-avro.ts';
import { schemaRegistry } from '../ingest/ingest-service.ts';
import { loadConfig } from '../shared/config/config.ts';
import type { PipelineConfig } from '../shared/config/config.ts';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import { ensureTopics } from '../shared/kafka/topics.ts';
import { migrate } from '../sink/migrate.ts';
import { chaosStream } from './chaos-stream.ts';
import { countTopicEvents, deadLetters, stageState, stateDifferences, storedEvents } from './chaos-oracle.ts';
import { InputsIdleProbe } from './inputs-idle.ts';
import { PipelineProcesses } from './pipeline-processes.ts';
import { groupAtEnd } from './group-at-end.ts';

const LOG_DIR = new URL('../../.local/chaos/', import.meta.url).pathname;

export interface FaultContext {
  processes: PipelineProcesses;
  config: PipelineConfig;
  /** Resolves when the whole stream has been produced. */
  produced: Promise<void>;
  note(line: string): void;
}

export interface Scenario {
  name: string;
  /** The fault schedule; resolves when the last fault has ended. */
  faults: (ctx: FaultContext) => Promise<void>;
  negativeControl?: 'dedup_off' | 'commit_before_insert' | 'fence_by_instance';
  duplicates?: number;
  journeys?: number;
  ingests?: number;
  /** Route stage instances (partitioned; one writer, the others standbys). */
  routes?: number;
  /** Only meaningful in this topology (the suite skips it in the other). */
  topology?: RunOptions['topology'];
}

export interface RunFigures {
  scenario: string;
  sent: number;
  stored: number;
  duplicated: number;
  lost: number;
  deadLettered: number;
  topicDuplicates: number;
  stateDiffs: number;
  recoverySeconds: number;
  kills: number;
  notes: string[];
  state: Map<string, string>;
}

export interface RunOptions {
  events: number;
  ratePerSecond: number;
  seed: number;
  runId: string;
  /** Event time of the stream's first message: the same for every scenario of a suite. */
  startMs: number;
  /** The journey's topology (JOURNEY_TOPOLOGY); partitioned adds the route stage's process. */
  topology: PipelineConfig['JOURNEY_TOPOLOGY'];
}

function chaosEnv(
  base: Record<string, string | undefined>,
  prefix: string,
  scenario: Scenario,
  topology: RunOptions['topology'],
) {
  return {
    // The benchmark's naming: every topic, group and the database named after the run.
    ...runEnv(base, prefix, prefix),
    // One raw partition: the canonical order is the produce order, so an undisturbed run and a
    // disturbed one see the same event order and must end in the same state.
    TOPIC_PARTITIONS: '1',
    JOURNEY_TOPOLOGY: topology,
    // Partitioned: two resolved partitions, so the faults meet the handovers between them.
    TOPIC_RESOLVED_PARTITIONS: topology === 'partitioned' ? '2' : '0',
    PII_HMAC_KEY: base.PII_HMAC_KEY ?? 'chaos-suite-pii-key-not-a-secret',
    LOG_LEVEL: 'warn',
    // A killed instance's partitions move on after 10 s instead of 30 s.
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    UNSAFE_NEGATIVE_CONTROL: scenario.negativeControl ?? 'none',
    // The raw partition is announced idle soon after the stream ends: the drain waits for it.
    INGEST_IDLE_SECONDS: '2',
  };
}

async function prepare(config: PipelineConfig): Promise<void> {
  await ensureTopics(createKafka(config, 'chaos-setup'), pipelineTopics(config));
  const clickhouse = createClickHouse(config, { database: null });
  try {
    await migrate(clickhouse, { database: config.CLICKHOUSE_DATABASE, retentionDays: 3650 });
  } finally {
    await clickhouse.close();
  }
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runScenario(
  scenario: Scenario,
  options: RunOptions,
  baseline: Map<string, string> | null,
): Promise<RunFigures> {
  mkdirSync(LOG_DIR, { recursive: true });
  const prefix = `chaos.${options.runId}.${scenario.name}`;
  const env = chaosEnv(process.env, prefix, scenario, options.topology);
  const config = loadConfig(env);
  await prepare(config);
  const kafka = createKafka(config, 'chaos-driver');
  const { id } = await schemaRegistry(config).register(
    { type: SchemaType.AVRO, schema: inputSchemaText('behavior') },
    { subject: `${config.TOPIC_BEHAVIOR}-value` },
  );
  const processes = new PipelineProcesses(env, `${LOG_DIR}${options.runId}.${scenario.name}.log`);
  const notes: string[] = [];
  const clickhouse = createClickHouse(config);
  try {
    const partitioned = options.topology === 'partitioned';
    if (partitioned) for (let i = 0; i < (scenario.routes ?? 1); i++) processes.start('route', i);
    for (let i = 0; i < (scenario.journeys ?? 1); i++) processes.start('journey', i);
    for (let i = 0; i < (scenario.ingests ?? 1); i++) processes.start('ingest', i);

    // The stream, at a steady rate, on a producer that rides out broker restarts (it retries).
    const stream = [
      ...chaosStream({
        events: options.events,
        seed: options.seed,
        startMs: options.startMs,
        duplicates: scenario.duplicates ?? 0,
        avro: { id, type: inputAvroType('behavior') },
      }),
    ];
    const sent = new Set(stream.map((m) => m.messageId)).size;
    const producer = kafka.producer({ idempotent: true, retry: { retries: 100, maxRetryTime: 5_000 } });
    await producer.connect();
    const produced = (async () => {
      const chunk = Math.max(1, Math.round(options.ratePerSecond / 10));
      for (let i = 0; i < stream.length; i += chunk) {
        const started = Date.now();
        await producer.send({
          topic: config.TOPIC_BEHAVIOR,
          messages: stream.slice(i, i + chunk).map((m) => ({ key: m.key, value: m.value })),
        });
        await wait(Math.max(0, 100 - (Date.now() - started)));
      }
    })();
    const faultsDone = scenario.faults({ processes, config, produced, note: (line) => notes.push(line) });
    await Promise.all([produced, faultsDone]);
    await producer.disconnect();
    const faultsEnded = Date.now();

    // Drained: every group at the end of its topics (a stage that exited is started again).
    const journeyAtEnd = async (): Promise<boolean> =>
      partitioned
        ? (await groupAtEnd(kafka, config.ROUTE_GROUP_ID, [config.TOPIC_CANONICAL])) &&
          (await groupAtEnd(kafka, config.JOURNEY_GROUP_ID, [config.TOPIC_RESOLVED]))
        : groupAtEnd(kafka, config.JOURNEY_GROUP_ID, [config.TOPIC_CANONICAL]);
    const deadline = Date.now() + 600_000;
    const inputs = new InputsIdleProbe(kafka, config.TOPIC_CANONICAL);
    // Stopped whatever happens: a probe left running keeps the process (and the test) alive.
    try {
      for (;;) {
        processes.restartExited();
        const ingestDone = await groupAtEnd(kafka, config.INGEST_GROUP_ID, [config.TOPIC_BEHAVIOR]);
        const journeyDone = ingestDone && (await journeyAtEnd());
        // Everything stored, and time as far as the data takes it: the markers say the raw partition
        // is idle and the journey has read them (else two runs' states are compared mid-way).
        if (
          journeyDone &&
          (await storedEvents(clickhouse)).events >= sent &&
          (await inputs.allIdle()) &&
          (await journeyAtEnd())
        )
          break;
        if (journeyDone && scenario.negativeControl) {
          // A broken run may never store everything: settled twice in a row is the end.
          await wait(2_000);
          if (await journeyAtEnd()) break;
        }
        if (Date.now() > deadline) {
          notes.push('did not drain within 10 minutes');
          break;
        }
        await wait(250);
      }
    } finally {
      await inputs.stop();
    }
    const recoverySeconds = (Date.now() - faultsEnded) / 1000;
    await groupAtEnd(kafka, `${config.JOURNEY_GROUP_ID}-dlq-summary`, [config.TOPIC_DLQ]);
    // Drained and the dead letters mirrored: the stages have nothing left to do, so they stop
    // while the oracle reads the topics and tables (a graceful stop takes seconds per process).
    const stopped = processes.stopAll();
    const stored = await storedEvents(clickhouse);
    const [canonical, resolved, state, deadLettered] = await Promise.all([
      countTopicEvents(kafka, config.TOPIC_CANONICAL, sent, 60_000),
      countTopicEvents(kafka, config.TOPIC_RESOLVED, stored.events, 60_000),
      stageState(clickhouse),
      deadLetters(clickhouse),
    ]);
    await stopped;
    const diffs = baseline ? stateDifferences(baseline, state) : [];
    if (diffs.length > 0) notes.push(`state differs, e.g. ${diffs.slice(0, 2).join('; ')}`);
    return {
      scenario: scenario.name,
      sent,
      stored: stored.events,
      duplicated: stored.rows - stored.events,
      lost: sent - stored.events,
      deadLettered,
      topicDuplicates: canonical.messages - canonical.distinct + (resolved.messages - resolved.distinct),
      stateDiffs: diffs.length,
      recoverySeconds,
      kills: processes.kills,
      notes,
      state,
    };
  } finally {
    await processes.stopAll();
    await clickhouse.close();
  }
}

/** A run passes when nothing was lost, stored twice, duplicated in a topic, dead-lettered or changed. */
export const passes = (f: RunFigures): boolean =>
  f.lost === 0 && f.duplicated === 0 && f.topicDuplicates === 0 && f.deadLettered === 0 && f.stateDiffs === 0;
