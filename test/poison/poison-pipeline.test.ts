// Issue #14 against the real stack: the whole poison corpus produced between valid messages into a
// running pipeline (ingest + journey on the default topology: the route and the state step; real
// broker, registry and ClickHouse). Every poison message is in the DLQ exactly once with its named
// reason, every valid event is stored exactly once, every group reaches the end of its topics
// (lag 0), and no consumer restarts (one group join each).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import type { InputSource } from '../../services/ingest/ingest-config.ts';
import { inputSchemaText } from '../../services/ingest/input-avro.ts';
import { startIngestService } from '../../services/ingest/ingest-service.ts';
import { startJourneyService } from '../../services/journey/journey-service.ts';
import { startRouteService } from '../../services/journey/route-service.ts';
import { startStateService } from '../../services/journey/state-service.ts';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import { readDeadLetterHeaders } from '../../services/shared/kafka/dead-letter.ts';
import { readPartitionRanges } from '../../services/shared/kafka/read-partition-ranges.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { freshPipeline } from '../support/pipeline.ts';
import { groupSettled, testKafka, testRegistry, waitFor } from '../support/stack.ts';
import { poisonCorpus } from './poison-corpus.ts';
import type { PoisonMessage } from './poison-corpus.ts';
import { SCHEMA_IDS, UNKNOWN_SCHEMA_ID, UNPARSEABLE_SCHEMA_ID, validMessage } from './poison-message.ts';

const SOURCES: readonly InputSource[] = ['behavior', 'tickets', 'surveys', 'billing'];
const VALID_COMMAND = (i: number): Buffer =>
  Buffer.from(JSON.stringify({ command: 'delete', command_id: `valid-cmd-${i}`, person_id: `p-none-${i}` }));

/** The corpus frames carry fixed schema ids; the live registry assigns its own. */
function withRegistryIds(value: Buffer | null, ids: ReadonlyMap<number, number>): Buffer | null {
  if (value === null || value.length < 5 || value[0] !== 0) return value;
  const mapped = ids.get(value.readUInt32BE(1));
  if (mapped === undefined) return value;
  const out = Buffer.from(value);
  out.writeUInt32BE(mapped, 1);
  return out;
}

interface Sent {
  entry: PoisonMessage | null;
  topic: string;
  partition: number;
  offset: string;
}

test('the poison corpus through the running pipeline: each poison dead-lettered once with its reason, every valid event stored once, no restart', async (t) => {
  // The corpus's valid payloads are dated 2026-06-01; the broker stamps the receive time (LogAppendTime).
  const { config } = await freshPipeline({ INGEST_MAX_PAST_DAYS: '3650', CLICKHOUSE_RETENTION_DAYS: '3650' });
  const metrics = createMetrics(false);
  const log = createLogger('silent');
  // The journey as the topology has it (partitioned by default: the route and the state step,
  // each a group of its own; single: one writer).
  const partitioned = config.JOURNEY_TOPOLOGY === 'partitioned';
  const journey = partitioned
    ? [await startRouteService(config, log, metrics), await startStateService(config, log, metrics)]
    : [await startJourneyService(config, log, metrics)];
  t.after(async () => {
    for (const stage of journey.reverse()) await stage.stop();
  });
  const ingest = await startIngestService(config, log, metrics);
  t.after(() => ingest.stop());
  const topicOf: Record<InputSource | 'commands', string> = {
    behavior: config.TOPIC_BEHAVIOR,
    tickets: config.TOPIC_TICKETS,
    surveys: config.TOPIC_SURVEYS,
    billing: config.TOPIC_BILLING,
    commands: config.TOPIC_IDENTITY_COMMANDS,
  };

  // Writer schemas registered as a producer would. A schema avsc cannot parse cannot be stored in
  // this registry at all (Apicurio refuses it: "Failed to discover artifact type"), so that class
  // is proven by test/poison/poison-ingest.test.ts only.
  const registry = testRegistry();
  const ids = new Map<number, number>([[UNKNOWN_SCHEMA_ID, 2_000_000_000]]);
  for (const source of SOURCES) {
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: inputSchemaText(source) },
      { subject: `${topicOf[source]}-value` },
    );
    ids.set(SCHEMA_IDS[source], id);
  }
  const corpus = poisonCorpus().filter(
    (m) =>
      !(
        m.value &&
        m.value.length >= 5 &&
        m.value[0] === 0 &&
        m.value.readUInt32BE(1) === UNPARSEABLE_SCHEMA_ID
      ),
  );

  const producer = testKafka().producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  const sent: Sent[] = [];
  const send = async (
    source: InputSource | 'commands',
    value: Buffer | null,
    key: Buffer | null,
    entry: PoisonMessage | null,
  ) => {
    const topic = topicOf[source];
    const [meta] = await producer.send({ topic, messages: [{ key, value: withRegistryIds(value, ids) }] });
    sent.push({ entry, topic, partition: meta!.partition, offset: meta!.baseOffset! });
  };
  let valid = 0;
  for (const entry of corpus) {
    const source = entry.source;
    const between = (): Buffer =>
      source === 'commands' ? VALID_COMMAND(valid++) : validMessage(source, valid++);
    await send(source, between(), null, null);
    await send(source, entry.value, entry.key ?? null, entry);
    await send(source, between(), null, null);
  }

  const rawTopics = SOURCES.map((s) => topicOf[s]);
  await waitFor(
    'every group at the end of its topics (lag 0)',
    async () =>
      (await groupSettled(config.INGEST_GROUP_ID, rawTopics)) &&
      (partitioned
        ? (await groupSettled(config.ROUTE_GROUP_ID, [
            config.TOPIC_CANONICAL,
            config.TOPIC_IDENTITY_COMMANDS,
          ])) && (await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_RESOLVED]))
        : await groupSettled(config.JOURNEY_GROUP_ID, [
            config.TOPIC_CANONICAL,
            config.TOPIC_IDENTITY_COMMANDS,
          ]))
        ? true
        : undefined,
    180_000,
    250,
  );

  // Every dead letter, read to the end of the DLQ under read_committed.
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  // Every partition read up to the high watermark seen now; transaction markers count (several
  // producers' transactions can end the topic with several markers in a row).
  const dlqEnds = await admin.fetchTopicOffsets(config.TOPIC_DLQ);
  const letters = new Map<string, string[]>();
  await readPartitionRanges(
    kafka,
    dlqEnds.map((p) => ({
      topic: config.TOPIC_DLQ,
      partition: p.partition,
      from: BigInt(p.low),
      to: BigInt(p.high),
    })),
    (record) => {
      const letter = readDeadLetterHeaders(record.headers);
      const at = `${letter.sourceTopic}/${letter.sourcePartition}/${letter.sourceOffset}`;
      letters.set(at, [...(letters.get(at) ?? []), letter.reason]);
    },
    60_000,
  );

  const problems: string[] = [];
  const reasonsByClass = new Map<string, Set<string>>();
  for (const message of sent) {
    const got = letters.get(`${message.topic}/${message.partition}/${message.offset}`) ?? [];
    letters.delete(`${message.topic}/${message.partition}/${message.offset}`);
    const entry = message.entry;
    const label = entry
      ? `${entry.class} ${entry.source}: ${entry.note}`
      : `valid ${message.topic}@${message.offset}`;
    if (entry === null || entry.accepted) {
      if (got.length > 0) problems.push(`${label}: dead-lettered (${got.join(',')}) but valid`);
      continue;
    }
    const classReasons = reasonsByClass.get(entry.class) ?? new Set<string>();
    got.forEach((r) => classReasons.add(r));
    reasonsByClass.set(entry.class, classReasons);
    if (got.length !== 1) problems.push(`${label}: ${got.length} dead letters (${got.join(',')})`);
    else if (got[0] === 'internal_error') problems.push(`${label}: internal_error, not a named reason`);
    else if (entry.expectedReason && got[0] !== entry.expectedReason)
      problems.push(`${label}: ${got[0]}, expected ${entry.expectedReason}`);
  }
  for (const [at, reasons] of letters)
    problems.push(`a dead letter for no message sent: ${at} ${reasons.join(',')}`);
  assert.deepEqual(problems, []);

  // Every valid raw message (and every accepted hostile one) is stored exactly once.
  const stored = sent.filter(
    (m) => m.topic !== config.TOPIC_IDENTITY_COMMANDS && (m.entry === null || m.entry.accepted),
  );
  const clickhouse = createClickHouse(config);
  t.after(() => clickhouse.close());
  const [counts] = await (
    await clickhouse.query({
      query: 'SELECT count() AS rows, uniqExact(event_id) AS events FROM journey_events',
      format: 'JSONEachRow',
    })
  ).json<{ rows: string; events: string }>();
  assert.equal(Number(counts!.events), stored.length, 'every valid event stored');
  assert.equal(Number(counts!.rows), stored.length, 'none stored twice');

  // No consumer restarted: each group joined once (a crash or a stop-for-good would rejoin).
  const joins = (await metrics.rebalances.get()).values.map((v) => [v.labels.group, v.value]);
  assert.deepEqual(
    joins.filter(([, n]) => n !== 1),
    [],
    `group joins: ${JSON.stringify(joins)}`,
  );
  const poisonSent = sent.filter((m) => m.entry && !m.entry.accepted).length;
  console.log(
    `poison corpus: ${poisonSent} dead-lettered once each in ${reasonsByClass.size} classes, ${stored.length} valid events stored once; reasons by class: ${JSON.stringify(
      Object.fromEntries([...reasonsByClass].map(([c, r]) => [c, [...r].sort()])),
    )}`,
  );
});
