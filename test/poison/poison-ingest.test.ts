// Issue #14: every non-command poison message through the real ingest core (processIngestBatch,
// no network: the registry is a fake fetch behind the real registryLookup), each between two
// valid messages. Nothing may throw; each poison message ends as exactly one dead letter with a
// specific snake_case reason (never the bulkhead's internal_error) — or, when the corpus marks it
// accepted, as exactly one canonical event; every valid message as exactly one canonical event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DedupWindow } from '../../services/ingest/dedup-window.ts';
import { journeyEventType } from '../../services/shared/kafka/canonical-codec.ts';
import { TEST_CONFIG } from '../../services/ingest/fixtures/load-fixture.ts';
import type { InputSource } from '../../services/ingest/ingest-config.ts';
import { processIngestBatch } from '../../services/ingest/ingest-pipeline.ts';
import type { IngestTopology } from '../../services/ingest/ingest-pipeline.ts';
import { inputSchemaText } from '../../services/ingest/input-avro.ts';
import { registryLookup } from '../../services/ingest/lookup-registry-schema.ts';
import type { ConsumedMessage } from '../../services/shared/kafka/batch-consumer.ts';
import { DLQ_HEADERS } from '../../services/shared/kafka/dead-letter.ts';
import type { OutboundMessage } from '../../services/shared/kafka/producer.ts';
import { poisonCorpus } from './poison-corpus.ts';
import type { PoisonMessage } from './poison-corpus.ts';
import { POISON_RECEIVED_AT_MS, SCHEMA_IDS, UNPARSEABLE_SCHEMA_ID, validMessage } from './poison-message.ts';

const SOURCES: readonly InputSource[] = ['behavior', 'tickets', 'surveys', 'billing'];
const canonicalType = journeyEventType();
const topology: IngestTopology = {
  sourceByTopic: new Map(SOURCES.map((s) => [`raw.${s}`, s])),
  canonicalTopic: 'canonical',
  dlqTopic: 'dlq',
  canonicalType,
  canonicalSchemaId: 100,
};

/** The registry: the input schemas under SCHEMA_IDS, a schema avsc rejects, 404 for the rest. */
const fakeRegistry = (async (url: string) => {
  const id = Number(url.split('/').pop());
  const source = SOURCES.find((s) => SCHEMA_IDS[s] === id);
  if (source) return Response.json({ schema: inputSchemaText(source) });
  if (id === UNPARSEABLE_SCHEMA_ID)
    return Response.json({ schema: '{"type":"record","name":"T","fields":[{"name":"a","type":"strnig"}]}' });
  return new Response('{"error_code":40403}', { status: 404 });
}) as unknown as typeof fetch;

const SNAKE_CASE = /^[a-z]+(?:_[a-z0-9]+)*$/;

type Outcome = { kind: 'dlq'; reason: string } | { kind: 'canonical'; value: Buffer } | { kind: 'none' };

function outcomes(outputs: OutboundMessage[]): Outcome[] {
  return outputs.map((o) =>
    o.topic === 'dlq'
      ? { kind: 'dlq', reason: String(o.headers?.[DLQ_HEADERS.reason] ?? '') }
      : { kind: 'canonical', value: o.value as Buffer },
  );
}

function describe(outcome: Outcome[]): string {
  return outcome.map((o) => (o.kind === 'dlq' ? `dlq:${o.reason}` : o.kind)).join(',') || 'nothing';
}

function problemOf(entry: PoisonMessage | null, result: Outcome[]): string | null {
  const one = result.length === 1 ? result[0]! : null;
  if (entry === null || entry.accepted)
    return one?.kind === 'canonical' ? null : `expected one canonical event, got ${describe(result)}`;
  if (one?.kind !== 'dlq') return `expected one dead letter, got ${describe(result)}`;
  if (!SNAKE_CASE.test(one.reason) || one.reason === 'internal_error')
    return `unspecific reason ${one.reason}`;
  if (entry.expectedReason !== undefined && one.reason !== entry.expectedReason)
    return `expected ${entry.expectedReason}, got ${one.reason}`;
  return null;
}

test('no poison message stops, slows or escapes the ingest core (#14)', async () => {
  const corpus = poisonCorpus().filter((m) => m.source !== 'commands');
  const lookup = registryLookup({ url: 'http://registry.invalid' }, fakeRegistry);
  const dedup = new DedupWindow({ maxEntries: 10_000, maxAgeMs: 86_400_000 });
  const problems: string[] = [];
  const reasons = new Map<string, Set<string>>();
  const timings: Array<[string, number]> = [];
  let offset = 0;
  let validIndex = 0;
  const started = performance.now();

  const run = async (
    source: InputSource,
    value: Buffer | null,
    key: Buffer | null,
    entry: PoisonMessage | null,
  ) => {
    const message: ConsumedMessage = {
      topic: `raw.${source}`,
      partition: 0,
      offset: String(offset++),
      key,
      value,
      headers: {},
      timestampMs: POISON_RECEIVED_AT_MS,
    };
    const label =
      entry === null ? `valid ${source} #${message.offset}` : `${entry.class} ${source}: ${entry.note}`;
    const t0 = performance.now();
    let result: Outcome[];
    try {
      result = outcomes(
        (await processIngestBatch([message], topology, TEST_CONFIG, lookup, dedup, POISON_RECEIVED_AT_MS))
          .outputs,
      );
    } catch (err) {
      problems.push(`${label}: threw ${(err as Error).name}: ${(err as Error).message.slice(0, 200)}`);
      return;
    }
    timings.push([label, performance.now() - t0]);
    const problem = problemOf(entry, result);
    if (problem !== null) problems.push(`${label}: ${problem}`);
    if (entry !== null) {
      const seen = reasons.get(entry.class) ?? new Set<string>();
      seen.add(describe(result));
      reasons.set(entry.class, seen);
    }
    return result;
  };

  for (const entry of corpus) {
    const source = entry.source as InputSource;
    await run(source, validMessage(source, validIndex), null, null);
    validIndex++;
    const result = await run(source, entry.value, entry.key ?? null, entry);
    // Prototype keys are data: a nested "__proto__" must still be in properties_json.
    if (
      entry.class === 'prototype_keys' &&
      entry.note.startsWith('properties.__proto__') &&
      result?.[0]?.kind === 'canonical'
    ) {
      const event = canonicalType.fromBuffer(result[0].value.subarray(5)) as { properties_json: string };
      if (!Object.hasOwn(JSON.parse(event.properties_json) as object, '__proto__'))
        problems.push(`${entry.note}: "__proto__" lost from properties_json`);
    }
    await run(source, validMessage(source, validIndex), null, null);
    validIndex++;
  }

  const elapsed = performance.now() - started;
  const slowest = timings.sort((a, b) => b[1] - a[1]).slice(0, 3);
  console.log(`${corpus.length} poison + ${validIndex} valid messages in ${elapsed.toFixed(0)} ms; slowest:`);
  for (const [label, ms] of slowest) console.log(`  ${ms.toFixed(1)} ms  ${label.slice(0, 100)}`);
  for (const [cls, seen] of reasons) console.log(`  ${cls}: ${[...seen].join(' | ')}`);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined, 'Object.prototype was polluted');
  assert.deepEqual(problems, []);
});
