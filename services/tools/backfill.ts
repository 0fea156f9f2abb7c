// `journey backfill <source> <file.ndjson>`: imports history (an export of Stripe events, Zendesk
// webhooks, Segment calls or survey responses, one JSON body per line) into a raw topic, so the
// running pipeline processes it as it processes live input. Three things make a backfill end as a
// live run would:
//   1. every line is first checked with the ingest's own code (processIngestBatch, this process's
//      configuration): what it would dead-letter is reported by reason before anything is sent,
//      and nothing is sent unless --allow-dead-letters (an event older than INGEST_MAX_PAST_DAYS,
//      timestamp_out_of_window, would otherwise be lost to the import: raise the window, and
//      CLICKHOUSE_RETENTION_DAYS with it, on the ingest and here);
//   2. lines are sent in event-time order (an export is often newest first, or by object), each
//      keyed by the account (else the person) it names, as the ingest expects;
//   3. the journey's watermark is the least over the raw partitions (docs/journey.md), so the
//      backfill's partitions hold time back until they are read, whatever else is live.
// The whole file is held in memory to sort it: split larger exports by time range.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { PipelineConfig } from '../shared/config/config.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { rawTopicMaxBytes } from '../shared/kafka/message-limits.ts';
import { journeyEventType } from '../shared/kafka/canonical-codec.ts';
import { DedupWindow } from '../ingest/dedup-window.ts';
import type { InputSource } from '../ingest/ingest-config.ts';
import { processIngestBatch } from '../ingest/ingest-pipeline.ts';
import { ingestConfigFrom } from '../ingest/ingest-service.ts';
import { topicOf } from '../workload/produce-workload.ts';

export const BACKFILL_SOURCES: readonly InputSource[] = ['behavior', 'tickets', 'surveys', 'billing'];

export interface BackfillLine {
  /** 1-based line number in the file. */
  line: number;
  value: Buffer;
  key: string | null;
  /** Greatest event time of its canonical events; null when the ingest would dead-letter it. */
  eventTime: number | null;
  /** Dead-letter reasons the ingest would give (a Segment batch can give several). */
  deadLetters: string[];
}

export interface BackfillPlan {
  lines: BackfillLine[];
  events: number;
  deadLetters: Map<string, number>;
  oldest: number | null;
  newest: number | null;
}

type Ids = Record<string, string | null>;

/** The raw key the ingest expects: the account the message names, else its person. */
const rawKey = (ids: Ids): string | null =>
  ids['account_id'] ??
  ids['user_id'] ??
  ids['anonymous_id'] ??
  ids['billing_customer_id'] ??
  ids['ticket_requester_id'] ??
  ids['email_hash'] ??
  null;

/** Every line through the ingest core, as the ingest stage would take it now. */
export async function planBackfill(
  config: PipelineConfig,
  source: InputSource,
  values: readonly Buffer[],
  nowMs = Date.now(),
): Promise<BackfillPlan> {
  const canonicalType = journeyEventType();
  const topic = topicOf(config, source);
  const topology = {
    sourceByTopic: new Map([[topic, source]]),
    canonicalTopic: config.TOPIC_CANONICAL,
    dlqTopic: config.TOPIC_DLQ,
    canonicalType,
    canonicalSchemaId: 1,
  };
  const ingestConfig = ingestConfigFrom(config);
  // Avro needs the registry's writer schema: a backfill file is JSON, so an Avro line is refused.
  const lookup = (id: number) => Promise.reject(new Error(`backfill files are JSON; schema id ${id}`));
  // Duplicates within the file are the ingest's to drop, as they would be live: a fresh window
  // here would call the second copy a duplicate only if the ingest's window still holds the first.
  const plan: BackfillPlan = { lines: [], events: 0, deadLetters: new Map(), oldest: null, newest: null };
  for (const [i, value] of values.entries()) {
    const message: ConsumedMessage = {
      topic,
      partition: 0,
      offset: String(i),
      key: null,
      value,
      headers: {},
      timestampMs: nowMs,
    };
    const dedup = new DedupWindow({ maxEntries: 1, maxAgeMs: 1 });
    const result = await processIngestBatch([message], topology, ingestConfig, lookup, dedup, nowMs);
    const canonical = result.outputs.filter((m) => m.topic === config.TOPIC_CANONICAL);
    const first = canonical[0]?.value;
    const ids = Buffer.isBuffer(first)
      ? (canonicalType.fromBuffer(first.subarray(5)) as { ids: Ids }).ids
      : ({} as Ids);
    const reasons = result.dlq.map((d) => d.reason);
    for (const r of reasons) plan.deadLetters.set(r, (plan.deadLetters.get(r) ?? 0) + 1);
    plan.events += canonical.length;
    const t = result.maxEventTime;
    if (t !== null) {
      plan.oldest = Math.min(plan.oldest ?? t, t);
      plan.newest = Math.max(plan.newest ?? t, t);
    }
    plan.lines.push({ line: i + 1, value, key: rawKey(ids), eventTime: t, deadLetters: reasons });
  }
  return plan;
}

/** Event-time order; lines the ingest would dead-letter keep their file order, after the rest. */
export const backfillOrder = (lines: readonly BackfillLine[]): BackfillLine[] =>
  [...lines].sort(
    (a, b) =>
      (a.eventTime ?? Number.POSITIVE_INFINITY) - (b.eventTime ?? Number.POSITIVE_INFINITY) ||
      a.line - b.line,
  );

export const readNdjson = (file: string): Buffer[] =>
  readFileSync(file)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => Buffer.from(line, 'utf8'));

export interface BackfillOptions {
  dryRun: boolean;
  allowDeadLetters: boolean;
}

const iso = (ms: number | null): string => (ms === null ? 'n/a' : new Date(ms).toISOString());

/** Checks, then (unless a dry run, or lines would be dead-lettered) sends. Returns the exit code. */
export async function runBackfill(
  config: PipelineConfig,
  source: InputSource,
  file: string,
  options: BackfillOptions,
  out: (line: string) => void,
): Promise<number> {
  const plan = await planBackfill(config, source, readNdjson(file));
  out(
    `${file}: ${plan.lines.length} lines -> ${plan.events} events from ${iso(plan.oldest)} to ${iso(plan.newest)}`,
  );
  const rejected = [...plan.deadLetters].sort((a, b) => b[1] - a[1]);
  for (const [reason, n] of rejected) out(`  would be dead-lettered: ${reason} x${n}`);
  if (plan.deadLetters.has('timestamp_out_of_window'))
    out(
      `  timestamp_out_of_window: older than INGEST_MAX_PAST_DAYS (${config.INGEST_MAX_PAST_DAYS} days) or ahead of INGEST_MAX_FUTURE_MINUTES; to import older history raise INGEST_MAX_PAST_DAYS (at most CLICKHOUSE_RETENTION_DAYS, ${config.CLICKHOUSE_RETENTION_DAYS}) on the ingest and here`,
    );
  if (options.dryRun) return rejected.length > 0 ? 1 : 0;
  if (rejected.length > 0 && !options.allowDeadLetters) {
    out('nothing sent: fix the lines above, or pass --allow-dead-letters to send them to the DLQ');
    return 1;
  }
  const producer = createKafka(config, 'journey-backfill').producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const topic = topicOf(config, source);
  const maxRequestBytes = rawTopicMaxBytes(config.INGEST_MAX_MESSAGE_BYTES) - 65_536;
  const headers = { backfill: basename(file) };
  let batch: BackfillLine[] = [];
  let bytes = 0;
  let sent = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await producer.send({
      topic,
      acks: -1,
      messages: batch.map((l) => ({ key: l.key, value: l.value, headers })),
    });
    sent += batch.length;
    batch = [];
    bytes = 0;
  };
  try {
    for (const line of backfillOrder(plan.lines)) {
      const size = line.value.length + 128;
      if (batch.length >= 1000 || bytes + size > maxRequestBytes) await flush();
      batch.push(line);
      bytes += size;
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  out(`sent ${sent} messages to ${topic} in event-time order`);
  return 0;
}
