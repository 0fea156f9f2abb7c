// How much of the traffic a single-writer identity resolver would see (docs/architecture.md,
// step 3): a generated workload through the ingest's pure core, every canonical event's link fact
// through an ingest instance's filter (services/identity/link-facts.ts), and the identity graph
// built twice — from every event, as today's journey does, and from the admitted events only, as
// the resolver would. Prints the share admitted and whether the two graphs are equal.
//   node services/bench/measure-link-facts.ts [tiny|demo|bench] [maxMessages]
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import { loadConfig } from '../shared/config/config.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { journeyEventType } from '../shared/kafka/canonical-codec.ts';
import { DedupWindow } from '../ingest/dedup-window.ts';
import { inputAvroType } from '../ingest/input-avro.ts';
import type { InputSource } from '../ingest/ingest-config.ts';
import { processIngestBatch } from '../ingest/ingest-pipeline.ts';
import { ingestConfigFrom } from '../ingest/ingest-service.ts';
import { createIdentityGraph, describeIdentityGraph, resolve } from '../identity/identity-core.ts';
import { LinkFactFilter, linkFactOf } from '../identity/link-facts.ts';
import { identityConfigFrom } from '../journey/journey-service.ts';
import { encodeRawMessage } from '../workload/encode-raw-message.ts';
import type { AvroTypes } from '../workload/encode-raw-message.ts';
import { generateHistory } from '../workload/generate-workload.ts';
import { resolveProfile } from '../workload/workload-profile.ts';

const SOURCES: InputSource[] = ['behavior', 'tickets', 'surveys', 'billing'];
const BATCH = 2000;
const DAY_MS = 86_400_000;

export interface LinkFactShare {
  events: number;
  admitted: number;
  /** Of the admitted, facts sent again for a later hour of their account (membership recency). */
  renewed: number;
  /** Of the admitted, facts with a single identifier and nothing else: a new singleton person. */
  singletons: number;
  share: number;
  identifiers: number;
  persons: number;
  sameGraph: boolean;
}

/** The workload's canonical events in the order the ingest emits them (markers left out). */
async function canonicalEvents(
  profileName: 'tiny' | 'demo' | 'bench',
  maxMessages: number,
): Promise<JourneyEvent[]> {
  const config = loadConfig({
    ...process.env,
    PII_HMAC_KEY: process.env.PII_HMAC_KEY ?? 'link-facts-measure-key',
  });
  const avro = {} as AvroTypes;
  const byId = new Map<number, ReturnType<typeof inputAvroType>>();
  SOURCES.forEach((source, i) => {
    avro[source] = { id: i + 1, type: inputAvroType(source) };
    byId.set(i + 1, avro[source].type);
  });
  const eventType = journeyEventType();
  const topology = {
    sourceByTopic: new Map(SOURCES.map((s) => [s, s] as const)),
    canonicalTopic: 'canonical',
    dlqTopic: 'dlq',
    canonicalType: eventType,
    canonicalSchemaId: 100,
  };
  const dedup = new DedupWindow({
    maxEntries: config.INGEST_DEDUP_WINDOW_SIZE,
    maxAgeMs: config.INGEST_DEDUP_WINDOW_MINUTES * 60_000,
  });
  const lookup = (id: number): Promise<ReturnType<typeof inputAvroType>> => Promise.resolve(byId.get(id)!);
  const profile = resolveProfile(profileName);
  const workload = generateHistory(profile, 42, Date.now() - profile.historyDays * DAY_MS);
  const events: JourneyEvent[] = [];
  let batch: ConsumedMessage[] = [];
  let offset = 0;
  const flush = async (): Promise<void> => {
    const ingested = await processIngestBatch(
      batch,
      topology,
      ingestConfigFrom(config),
      lookup,
      dedup,
      Date.now(),
    );
    for (const o of ingested.outputs) {
      if (o.topic !== 'canonical' || o.value === null || o.headers?.journey_watermark !== undefined) continue;
      events.push(eventType.fromBuffer(Buffer.from(o.value).subarray(5)) as JourneyEvent);
    }
    batch = [];
  };
  for (const m of workload.messages) {
    if (offset >= maxMessages) break;
    batch.push({
      topic: m.topic,
      partition: 0,
      offset: String(offset++),
      key: Buffer.from(m.key),
      value: encodeRawMessage(m, avro),
      headers: {},
      timestampMs: m.sendTimeMs,
    });
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  return events;
}

export async function measureLinkFacts(
  profileName: 'tiny' | 'demo' | 'bench' = 'demo',
  maxMessages = Infinity,
): Promise<LinkFactShare> {
  const events = await canonicalEvents(profileName, maxMessages);
  const identity = identityConfigFrom(
    loadConfig({ ...process.env, PII_HMAC_KEY: process.env.PII_HMAC_KEY ?? 'link-facts-measure-key' }),
  );
  const filter = new LinkFactFilter();
  const all = createIdentityGraph();
  const facts = createIdentityGraph();
  const now = Date.now();
  let singletons = 0;
  for (const event of events) {
    const fact = linkFactOf(event, identity.junkPattern);
    const admitted = filter.admit(fact);
    if (admitted && fact.keys.length === 1 && fact.account === null && fact.previousId === null) singletons++;
    if (admitted) resolve(facts, structuredClone(event), now, identity);
    resolve(all, event, now, identity);
  }
  const described = describeIdentityGraph(all);
  return {
    events: events.length,
    admitted: filter.admitted,
    renewed: filter.renewed,
    singletons,
    share: filter.admitted / Math.max(1, events.length),
    identifiers: all.nodeIndex.size,
    persons: described.persons.length,
    sameGraph: JSON.stringify(described) === JSON.stringify(describeIdentityGraph(facts)),
  };
}

if (import.meta.main) {
  const [profile = 'demo', max = 'Infinity'] = process.argv.slice(2);
  const r = await measureLinkFacts(profile as 'tiny' | 'demo' | 'bench', Number(max));
  console.log(
    `${profile}: ${r.admitted} of ${r.events} canonical events are link facts (${(r.share * 100).toFixed(1)} %; ${r.renewed} of them a later hour of a known membership, ${r.singletons} a lone new identifier); ` +
      `${r.identifiers} identifiers, ${r.persons} persons; graph from the link facts alone equals the graph from every event: ${r.sameGraph}`,
  );
}
