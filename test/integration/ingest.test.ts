// The ingest stage against the real broker and registry: Avro and JSON in, canonical events out;
// every poison message lands in the DLQ exactly once with the right headers while the consumer
// keeps running and no valid event is lost; a duplicate delivery is dropped.
import { isWatermarkMarker } from '../../services/shared/kafka/watermark-marker.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import type { KafkaMessage } from 'kafkajs';
import { prefixedTopicEnv } from '../../services/shared/kafka/pipeline-topics.ts';
import { loadConfig } from '../../services/shared/config/config.ts';
import { ensureTopics } from '../../services/shared/kafka/topics.ts';
import { readDeadLetterHeaders } from '../../services/shared/kafka/dead-letter.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { startIngestService } from '../../services/ingest/ingest-service.ts';
import { replayDeadLetters } from '../../services/tools/replay-dlq.ts';
import { journeyEventType } from '../../services/shared/kafka/canonical-codec.ts';
import {
  loadFixture,
  inputAvroType,
  toAvroShape,
  confluentFrame,
} from '../../services/ingest/fixtures/load-fixture.ts';
import type { InputSource } from '../../services/ingest/ingest-config.ts';
import type { JourneyEvent } from '../../services/shared/generated/avro-types.ts';
import { testKafka, testRegistry, uniqueName, waitFor } from '../support/stack.ts';

const SCHEMA_FILE: Record<InputSource, string> = {
  behavior: 'behavior_event.avsc',
  tickets: 'support_ticket.avsc',
  surveys: 'survey_response.avsc',
  billing: 'billing_event.avsc',
};

test('ingest: real-shaped Avro and JSON in, canonical out, poison to the DLQ, duplicates dropped', async (t) => {
  const prefix = uniqueName('it');
  const env = {
    ...process.env,
    ...prefixedTopicEnv(prefix),
    INGEST_MAX_MESSAGE_BYTES: '8192',
    INGEST_MAX_DEPTH: '8',
    INGEST_MAX_PROPERTIES: '120',
    INGEST_MAX_PAST_DAYS: '10000', // the public-doc fixtures date from 2015 onwards
    CLICKHOUSE_RETENTION_DAYS: '10000', // the tables keep what the window accepts
    PII_HMAC_KEY: 'integration-test-hmac-key-0123456789',
    LOG_LEVEL: 'silent',
  };
  const config = loadConfig(env);
  const kafka = testKafka();
  const topicOf: Record<InputSource, string> = {
    behavior: config.TOPIC_BEHAVIOR,
    tickets: config.TOPIC_TICKETS,
    surveys: config.TOPIC_SURVEYS,
    billing: config.TOPIC_BILLING,
  };
  await ensureTopics(kafka, [
    ...Object.values(topicOf).map((topic) => ({ topic, partitions: 2, logAppendTime: true })),
    { topic: config.TOPIC_CANONICAL, partitions: 2, logAppendTime: true },
    { topic: config.TOPIC_DLQ, partitions: 1, logAppendTime: true },
  ]);

  // Writer schemas of the raw topics, registered as a producer would.
  const registry = testRegistry();
  const schemaIds = {} as Record<InputSource, number>;
  for (const source of Object.keys(SCHEMA_FILE) as InputSource[]) {
    const schema = readFileSync(new URL(`../../schemas/${SCHEMA_FILE[source]}`, import.meta.url), 'utf8');
    schemaIds[source] = (
      await registry.register({ type: SchemaType.AVRO, schema }, { subject: `${topicOf[source]}-value` })
    ).id;
  }
  const avro = (source: InputSource, fixture: string): Buffer =>
    confluentFrame(
      schemaIds[source],
      inputAvroType(source).toBuffer(toAvroShape(source, loadFixture(fixture))),
    );
  const json = (fixture: string): Buffer => Buffer.from(JSON.stringify(loadFixture(fixture)));

  const valid: Array<{ source: InputSource; value: Buffer; fixture: string }> = [
    { source: 'behavior', value: json('segment-track.json'), fixture: 'segment-track.json' },
    { source: 'behavior', value: json('segment-identify.json'), fixture: 'segment-identify.json' },
    { source: 'behavior', value: json('segment-page.json'), fixture: 'segment-page.json' },
    { source: 'behavior', value: avro('behavior', 'segment-group.json'), fixture: 'segment-group.json' },
    { source: 'behavior', value: json('rudderstack-track.json'), fixture: 'rudderstack-track.json' },
    {
      source: 'tickets',
      value: avro('tickets', 'zendesk-ticket-created.json'),
      fixture: 'zendesk-ticket-created.json',
    },
    { source: 'tickets', value: json('zendesk-ticket-solved.json'), fixture: 'zendesk-ticket-solved.json' },
    { source: 'surveys', value: avro('surveys', 'survey-nps.json'), fixture: 'survey-nps.json' },
    {
      source: 'billing',
      value: avro('billing', 'stripe-customer-subscription-updated.json'),
      fixture: 'stripe-customer-subscription-updated.json',
    },
    {
      source: 'billing',
      value: json('stripe-invoice-payment-failed.json'),
      fixture: 'stripe-invoice-payment-failed.json',
    },
  ];
  const validFrame = avro('surveys', 'survey-csat.json');
  const deep = (n: number): unknown => (n === 0 ? 'x' : { d: deep(n - 1) });
  const track = loadFixture('segment-track.json');
  const poison: Array<{ source: InputSource; value: Buffer; reason: string }> = [
    {
      source: 'behavior',
      value: Buffer.from([0x9f, 0x13, 0x77, 0x00, 0x42, 0xde, 0xad]),
      reason: 'unknown_magic_byte',
    },
    {
      source: 'billing',
      value: Buffer.concat([Buffer.from([0x05]), validFrame.subarray(1)]),
      reason: 'unknown_magic_byte',
    },
    {
      source: 'surveys',
      value: confluentFrame(2_000_000_000, validFrame.subarray(5)),
      reason: 'unknown_schema_id',
    },
    { source: 'surveys', value: validFrame.subarray(0, validFrame.length - 7), reason: 'avro_decode_failed' },
    { source: 'behavior', value: Buffer.from('{"type":"track","event":'), reason: 'invalid_json' },
    {
      source: 'behavior',
      value: Buffer.concat([
        Buffer.from('{"type":"track","event":"'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}'),
      ]),
      reason: 'invalid_utf8',
    },
    {
      source: 'behavior',
      value: Buffer.from(
        JSON.stringify({ ...track, messageId: 'big', properties: { blob: 'x'.repeat(9000) } }),
      ),
      reason: 'message_too_large',
    },
    {
      source: 'behavior',
      value: Buffer.from(JSON.stringify({ ...track, messageId: 'deep', properties: { nested: deep(12) } })),
      reason: 'too_deep',
    },
    {
      source: 'behavior',
      value: Buffer.from(
        JSON.stringify({
          ...track,
          messageId: 'wide',
          properties: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`p${i}`, i])),
        }),
      ),
      reason: 'too_many_properties',
    },
    {
      source: 'behavior',
      value: Buffer.from(
        JSON.stringify({
          ...track,
          messageId: 'future',
          timestamp: '2999-01-01T00:00:00.000Z',
          sentAt: undefined,
          receivedAt: undefined,
        }),
      ),
      reason: 'timestamp_out_of_window',
    },
  ];

  let service = await startIngestService(config, createLogger('silent'), createMetrics(false));
  t.after(() => service.stop());

  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  // Interleave: valid, poison, valid ... so the consumer must keep going after each poison message.
  const sequence: Array<{ source: InputSource; value: Buffer }> = [];
  for (let i = 0; i < Math.max(valid.length, poison.length); i++) {
    if (valid[i]) sequence.push(valid[i]!);
    if (poison[i]) sequence.push(poison[i]!);
  }
  // An exact duplicate delivery of the first track call, as a producer retry sends it: same key,
  // so the same partition (the dedup window is per partition; later stages dedupe by event id).
  sequence.push(valid[0]!);
  const keyOf = (i: number): string => `k${sequence.findIndex((m) => m.value.equals(sequence[i]!.value))}`;
  for (const [i, m] of sequence.entries()) {
    await producer.send({ topic: topicOf[m.source], messages: [{ key: keyOf(i), value: m.value }] });
  }

  const canonical: JourneyEvent[] = [];
  const dead: KafkaMessage[] = [];
  const type = journeyEventType();
  const reader = kafka.consumer({ groupId: uniqueName('it-reader') });
  await reader.connect();
  t.after(() => reader.disconnect());
  await reader.subscribe({ topics: [config.TOPIC_CANONICAL, config.TOPIC_DLQ], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ topic, message }) => {
      if (topic === config.TOPIC_DLQ) dead.push(message);
      else if (!isWatermarkMarker(message.headers))
        canonical.push(type.fromBuffer((message.value as Buffer).subarray(5)) as JourneyEvent);
    },
  });
  await waitFor(
    'all outputs',
    () => (canonical.length >= valid.length && dead.length >= poison.length ? true : undefined),
    60_000,
  ).catch((err: Error) => {
    const seen = dead
      .map((m) => readDeadLetterHeaders(m.headers as Record<string, Buffer>))
      .map((l) => `${l.reason}: ${l.detail}`);
    throw new Error(
      `${err.message}; canonical ${canonical.map((e) => e.name).join(', ')}; dlq ${seen.join(' | ')}`,
    );
  });

  assert.equal(canonical.length, valid.length, 'every valid event exactly once (the duplicate dropped)');
  assert.equal(new Set(canonical.map((e) => e.event_id)).size, valid.length);
  const sources = canonical.map((e) => e.source).sort();
  assert.deepEqual(sources, [
    'behavior',
    'behavior',
    'behavior',
    'behavior',
    'behavior',
    'billing',
    'billing',
    'surveys',
    'tickets',
    'tickets',
  ]);
  for (const event of canonical) {
    assert.equal(event.ids.email, null, 'no raw email leaves the stage unless configured');
    assert.ok(!/@/.test(JSON.stringify(event)), `no email address in ${event.event_id}`);
  }

  assert.equal(dead.length, poison.length, 'each poison message dead-lettered exactly once');
  const letters = dead.map((m) => ({
    ...readDeadLetterHeaders(m.headers as Record<string, Buffer>),
    value: m.value as Buffer,
    key: String(m.key),
  }));
  assert.deepEqual(letters.map((l) => l.reason).sort(), poison.map((p) => p.reason).sort());
  for (const letter of letters) {
    const original = sequence.findIndex((m) => m.value.equals(letter.value));
    assert.ok(original >= 0, `DLQ carries the original bytes (${letter.reason})`);
    assert.equal(letter.key, `k${original}`, 'and the original key');
    assert.equal(letter.sourceTopic, topicOf[sequence[original]!.source]);
    assert.ok(Number.isInteger(letter.sourcePartition) && letter.sourceOffset !== '');
    assert.ok(letter.step.endsWith('Step'), `step header names the step: ${letter.step}`);
    assert.ok(!Number.isNaN(Date.parse(letter.time)));
  }

  // After a fix (the property limit raised), replay-dlq re-feeds just the too_many_properties
  // letter; the restarted stage turns it into a canonical event, and nothing else is replayed.
  await service.stop();
  service = await startIngestService(
    loadConfig({ ...env, INGEST_MAX_PROPERTIES: '500' }),
    createLogger('silent'),
    createMetrics(false),
  );
  // A dry run first: what would be replayed, by reason; nothing sent, the group not moved.
  const dry = await replayDeadLetters({
    kafka,
    dlqTopic: config.TOPIC_DLQ,
    groupId: `${prefix}-replay`,
    reasons: new Set(['too_many_properties']),
    dryRun: true,
    log: createLogger('silent'),
  });
  assert.deepEqual(dry.byReason, { too_many_properties: 1 });
  assert.equal(dry.skipped, poison.length - 1);
  const summary = await replayDeadLetters({
    kafka,
    dlqTopic: config.TOPIC_DLQ,
    groupId: `${prefix}-replay`,
    reasons: new Set(['too_many_properties']),
    log: createLogger('silent'),
  });
  assert.deepEqual(summary.byReason, { too_many_properties: 1 }, 'the dry run left the group where it was');
  assert.equal(summary.skipped, poison.length - 1);
  await waitFor(
    'the replayed event',
    () => (canonical.some((e) => e.event_id.endsWith('wide')) ? true : undefined),
    60_000,
  );
  assert.equal(canonical.length, valid.length + 1);
  assert.equal(dead.length, poison.length, 'nothing new dead-lettered');
  const again = await replayDeadLetters({
    kafka,
    dlqTopic: config.TOPIC_DLQ,
    groupId: `${prefix}-replay`,
    log: createLogger('silent'),
  });
  assert.equal(again.replayed, 0, 'a second run starts from the committed offsets: nothing twice');
  const dryAfter = await replayDeadLetters({
    kafka,
    dlqTopic: config.TOPIC_DLQ,
    groupId: `${prefix}-replay`,
    dryRun: true,
    log: createLogger('silent'),
  });
  assert.equal(dryAfter.replayed, 0, 'a dry run reads from the committed offsets too');
});
