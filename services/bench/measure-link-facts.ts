// How much of the traffic the single-writer identity resolver sees (docs/architecture.md, step 3):
// a generated workload through the ingest's pure core with link facts on (each instance's filter,
// services/identity/link-facts.ts), the facts it sent through the resolver's core, and the
// identity graph three ways — from every event, as the journey stage builds it, the resolver's, and
// the one rebuilt from the table the resolver wrote. Prints the share sent and whether they agree.
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
import {
  applyChangelogRecord,
  completeRestore,
  createIdentityGraph,
  decodeChangelogRecord,
  describeIdentityGraph,
  resolve,
} from '../identity/identity-core.ts';
import type { IdentityGraph } from '../identity/identity-core.ts';
import { LinkFactFilter, linkFactOf } from '../identity/link-facts.ts';
import { decodeLinkFact } from '../identity/link-fact-message.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import { processLinkBatch } from '../resolver/resolver-pipeline.ts';
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
  /** The resolver's graph equals the journey's. */
  sameGraph: boolean;
  /** The graph rebuilt from the resolver's table records equals the journey's. */
  sameTable: boolean;
}

export interface IngestedWorkload {
  /** Canonical events in the order the ingest emits them (markers left out). */
  events: JourneyEvent[];
  /** The link facts the ingest sent, as the resolver consumes them (partition 0, offsets from 0). */
  links: ConsumedMessage[];
  filter: LinkFactFilter;
}

export async function ingestWorkload(
  profileName: 'tiny' | 'demo' | 'bench',
  maxMessages: number,
  generation: { seed: number; endMs: number } = { seed: 42, endMs: Date.now() },
): Promise<IngestedWorkload> {
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
  const filter = new LinkFactFilter();
  const topology = {
    sourceByTopic: new Map(SOURCES.map((s) => [s, s] as const)),
    canonicalTopic: 'canonical',
    dlqTopic: 'dlq',
    canonicalType: eventType,
    canonicalSchemaId: 100,
    links: { topic: 'links', filter },
  };
  const dedup = new DedupWindow({
    maxEntries: config.INGEST_DEDUP_WINDOW_SIZE,
    maxAgeMs: config.INGEST_DEDUP_WINDOW_MINUTES * 60_000,
  });
  const lookup = (id: number): Promise<ReturnType<typeof inputAvroType>> => Promise.resolve(byId.get(id)!);
  const profile = resolveProfile(profileName);
  const workload = generateHistory(profile, generation.seed, generation.endMs - profile.historyDays * DAY_MS);
  const events: JourneyEvent[] = [];
  const links: ConsumedMessage[] = [];
  let batch: ConsumedMessage[] = [];
  let offset = 0;
  const flush = async (): Promise<void> => {
    const ingested = await processIngestBatch(
      batch,
      topology,
      ingestConfigFrom(config),
      lookup,
      dedup,
      generation.endMs,
    );
    for (const o of ingested.outputs) {
      if (o.topic !== 'canonical' || o.value === null || o.headers?.journey_watermark !== undefined) continue;
      events.push(eventType.fromBuffer(Buffer.from(o.value).subarray(5)) as JourneyEvent);
    }
    for (const l of ingested.links)
      links.push({
        topic: 'links',
        partition: 0,
        offset: String(links.length),
        key: Buffer.from(String(l.key)),
        value: Buffer.from(l.value as string),
        headers: {},
        timestampMs: 0,
      });
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
  return { events, links, filter };
}

/** The graph a reader of the identity table rebuilds from the records the resolver wrote. */
function graphOfTable(records: readonly OutboundMessage[]): IdentityGraph {
  let graph = createIdentityGraph();
  for (const r of records) {
    const decoded = decodeChangelogRecord({
      key: String(r.key),
      value: r.value === null ? null : String(r.value),
    });
    if (decoded.kind !== 'ok') throw new Error(decoded.detail);
    graph = applyChangelogRecord(graph, decoded.record);
  }
  return completeRestore(graph);
}

/**
 * The workload through the ingest's core with link facts on, the facts it sent through the
 * resolver's core (the wire format both ways), and three graphs compared: the journey's (every
 * event resolved, as today), the resolver's, and the one rebuilt from the table it wrote.
 */
export async function measureLinkFacts(
  profileName: 'tiny' | 'demo' | 'bench' = 'demo',
  maxMessages = Infinity,
): Promise<LinkFactShare> {
  const { events, links, filter } = await ingestWorkload(profileName, maxMessages);
  const identity = identityConfigFrom(
    loadConfig({ ...process.env, PII_HMAC_KEY: process.env.PII_HMAC_KEY ?? 'link-facts-measure-key' }),
  );
  const all = createIdentityGraph();
  for (const event of events) resolve(all, event, event.received_time, identity);
  const resolver = createIdentityGraph();
  const table: OutboundMessage[] = [];
  let singletons = 0;
  for (let i = 0; i < links.length; i += BATCH) {
    const result = processLinkBatch(
      links.slice(i, i + BATCH),
      resolver,
      RESOLVER_TOPOLOGY,
      identity,
      Date.now(),
    );
    if (result.messages.length > 0) throw new Error(`${result.messages.length} link facts dead-lettered`);
    table.push(...result.table, ...result.checkpoint);
  }
  for (const link of links) {
    const decoded = decodeLinkFact(link.value);
    if (decoded.kind !== 'ok') continue;
    const fact = linkFactOf(decoded.event, identity.junkPattern);
    if (fact.keys.length === 1 && fact.account === null && fact.previousId === null) singletons++;
  }
  const described = identityOf(all);
  return {
    events: events.length,
    admitted: links.length,
    renewed: filter.renewed,
    singletons,
    share: links.length / Math.max(1, events.length),
    identifiers: all.nodeIndex.size,
    persons: all.personSlotById.size,
    sameGraph: described === identityOf(resolver),
    sameTable: described === identityOf(graphOfTable(table)),
  };
}

const RESOLVER_TOPOLOGY = { tableTopic: 'table', dlqTopic: 'dlq' };

/** Persons, identifiers, memberships and tombstones: the graph without its input checkpoints. */
const identityOf = (g: IdentityGraph): string => {
  const { persons, tombstones } = describeIdentityGraph(g);
  return JSON.stringify({ persons, tombstones });
};

if (import.meta.main) {
  const [profile = 'demo', max = 'Infinity'] = process.argv.slice(2);
  const r = await measureLinkFacts(profile as 'tiny' | 'demo' | 'bench', Number(max));
  console.log(
    `${profile}: ${r.admitted} of ${r.events} canonical events are link facts (${(r.share * 100).toFixed(1)} %; ${r.renewed} of them a later hour of a known membership, ${r.singletons} a lone new identifier); ` +
      `${r.identifiers} identifiers, ${r.persons} persons; the resolver's graph equals the graph from every event: ${r.sameGraph}, and so does its table: ${r.sameTable}`,
  );
}
