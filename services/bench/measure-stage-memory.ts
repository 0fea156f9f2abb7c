// The stages' pure cores without Kafka or ClickHouse: the bench workload through the ingest's
// processIngestBatch and the journey's processJourneyBatch in one process, until the identity
// graph holds `identities` identifiers and `accounts` accounts have state (or the events run
// out). Reports the heap the journey state takes (heap after a full GC with it, minus without it)
// — the memory figure at 1M identities and 100k accounts — the whole process's heap and RSS (which
// include the generator's own world, ~150 MB, and the ingest's dedup window), and the events per
// second of the two cores alone: the CPU ceiling of the domain logic with no I/O at all.
//   node --expose-gc services/bench/measure-stage-memory.ts [identities] [accounts] [maxEvents]
import { loadConfig } from '../shared/config/config.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { DedupWindow } from '../ingest/dedup-window.ts';
import { journeyEventType } from '../shared/kafka/canonical-codec.ts';
import { inputAvroType } from '../ingest/input-avro.ts';
import type { InputSource } from '../ingest/ingest-config.ts';
import { processIngestBatch } from '../ingest/ingest-pipeline.ts';
import { ingestConfigFrom } from '../ingest/ingest-service.ts';
import { createIdentityGraph } from '../identity/identity-core.ts';
import { createAccountStore } from '../journey/account-store.ts';
import { processJourneyBatch } from '../journey/journey-pipeline.ts';
import type { JourneyStageState, JourneyTopology } from '../journey/journey-pipeline.ts';
import { identityConfigFrom, journeyContextFrom } from '../journey/journey-service.ts';
import { encodeRawMessage } from '../workload/encode-raw-message.ts';
import type { AvroTypes } from '../workload/encode-raw-message.ts';
import { generateHistory } from '../workload/generate-workload.ts';
import { resolveProfile } from '../workload/workload-profile.ts';
import type { StageMemory } from './memory.ts';

const SOURCES: InputSource[] = ['behavior', 'tickets', 'surveys', 'billing'];
const CANONICAL_SCHEMA_ID = 100;
const BATCH = 2000;
const DAY_MS = 86_400_000;

async function main(): Promise<void> {
  const [identities = 1_000_000, accounts = 100_000, maxEvents = 5_000_000] = process.argv
    .slice(2)
    .map(Number);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const config = loadConfig({ ...process.env, PII_HMAC_KEY: process.env.PII_HMAC_KEY ?? 'bench-memory-key' });
  const avro = {} as AvroTypes;
  const byId = new Map<number, ReturnType<typeof inputAvroType>>();
  SOURCES.forEach((source, i) => {
    avro[source] = { id: i + 1, type: inputAvroType(source) };
    byId.set(i + 1, avro[source].type);
  });
  const ingestTopology = {
    sourceByTopic: new Map(SOURCES.map((s) => [s, s] as const)),
    canonicalTopic: 'canonical',
    dlqTopic: 'dlq',
    canonicalType: journeyEventType(),
    canonicalSchemaId: CANONICAL_SCHEMA_ID,
  };
  const journeyTopology: JourneyTopology = {
    resolvedTopic: 'resolved',
    identityChangesTopic: 'identity-changes',
    identityChangelogTopic: 'identity-changelog',
    journeyChangelogTopic: 'journey-changelog',
    churnAlertsTopic: 'churn-alerts',
    sweepIntervalMs: config.JOURNEY_SWEEP_MINUTES * 60_000,
    dlqTopic: 'dlq',
    eventType: journeyEventType(),
    eventSchemaId: CANONICAL_SCHEMA_ID,
  };
  const lookup = (id: number): Promise<ReturnType<typeof inputAvroType>> => Promise.resolve(byId.get(id)!);
  const dedup = new DedupWindow({
    maxEntries: config.INGEST_DEDUP_WINDOW_SIZE,
    maxAgeMs: config.INGEST_DEDUP_WINDOW_MINUTES * 60_000,
  });
  const ingestConfig = ingestConfigFrom(config);
  const identityConfig = identityConfigFrom(config);
  const ctx = journeyContextFrom(config);
  const state: JourneyStageState = { graph: createIdentityGraph(), accounts: createAccountStore() };
  const profile = resolveProfile('bench');
  const workload = generateHistory(profile, 42, Date.now() - profile.historyDays * DAY_MS);

  let rawOffset = 0;
  let canonicalOffset = 0;
  let events = 0;
  let ingestMs = 0;
  let journeyMs = 0;
  let batch: ConsumedMessage[] = [];
  const accountCount = (): number => {
    let n = 0;
    for (const s of state.accounts.states.values()) if (s.kind === 'account') n++;
    return n;
  };
  const run = async (): Promise<void> => {
    let started = performance.now();
    const ingested = await processIngestBatch(batch, ingestTopology, ingestConfig, lookup, dedup, Date.now());
    ingestMs += performance.now() - started;
    const canonical: ConsumedMessage[] = ingested.outputs
      .filter((o) => o.topic === 'canonical')
      .map((o) => ({
        topic: 'canonical',
        partition: 0,
        offset: String(canonicalOffset++),
        key: o.key === null ? null : Buffer.from(o.key),
        value: o.value === null ? null : Buffer.from(o.value),
        headers: {},
        timestampMs: o.timestampMs ?? Date.now(),
      }));
    started = performance.now();
    processJourneyBatch(canonical, state, journeyTopology, identityConfig, ctx, Date.now());
    journeyMs += performance.now() - started;
    events += canonical.length;
    batch = [];
  };
  for (const m of workload.messages) {
    batch.push({
      topic: m.topic,
      partition: 0,
      offset: String(rawOffset++),
      key: Buffer.from(m.key),
      value: encodeRawMessage(m, avro),
      headers: {},
      timestampMs: m.sendTimeMs,
    });
    if (batch.length < BATCH) continue;
    await run();
    if (rawOffset % (250 * BATCH) === 0)
      process.stderr.write(
        `${rawOffset} messages, ${state.graph.nodeIndex.size} identifiers, ${state.accounts.states.size} states, ${Math.round((ingestMs + journeyMs) / 1000)} s\n`,
      );
    if (events >= maxEvents) break;
    if (
      state.graph.nodeIndex.size >= identities &&
      rawOffset % (50 * BATCH) === 0 &&
      accountCount() >= accounts
    )
      break;
  }
  // A full collection from a fresh turn of the event loop: garbage still referenced from the loop's
  // own stack frame would otherwise count as live.
  const settle = async (): Promise<number> => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  await settle();
  const memory = process.memoryUsage();
  const counts = {
    identifiers: state.graph.nodeIndex.size,
    persons: state.graph.personSlotById.size,
    accounts: accountCount(),
    personStates: state.accounts.states.size - accountCount(),
  };
  // Drop the journey state (nothing else refers to it) and measure again.
  state.accounts = createAccountStore();
  const withoutAccounts = await settle();
  state.graph = createIdentityGraph();
  const without = await settle();
  // The graph's typed arrays live outside the heap (arrayBuffers): counted with it.
  const stateBytes = memory.heapUsed - without + memory.arrayBuffers;
  const accountBytes = memory.heapUsed - withoutAccounts;
  const result: StageMemory = {
    events,
    ...counts,
    journeyStateMb: Math.round(stateBytes / 1048576),
    bytesPerState: Math.round(accountBytes / Math.max(1, counts.accounts + counts.personStates)),
    graphBytesPerIdentifier: Math.round((stateBytes - accountBytes) / Math.max(1, counts.identifiers)),
    heapUsedMb: Math.round(memory.heapUsed / 1048576),
    rssMb: Math.round(memory.rss / 1048576),
    ingestEventsPerSecond: Math.round(rawOffset / (ingestMs / 1000)),
    journeyEventsPerSecond: Math.round(events / (journeyMs / 1000)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (import.meta.main)
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
