// The benchmark's workload, generated and encoded once per invocation (before anything is timed):
// the first N messages of the seeded generator at the chosen profile, as the exact bytes the raw
// topics receive, plus what the pipeline must end up with (distinct valid event ids, dead letters).
import type { PipelineConfig } from '../shared/config/config.ts';
import type { InputSource } from '../ingest/ingest-config.ts';
import { encodeRawMessage } from '../workload/encode-raw-message.ts';
import { generateHistory } from '../workload/generate-workload.ts';
import { registerInputSchemas } from '../workload/produce-workload.ts';
import { resolveProfile } from '../workload/workload-profile.ts';
import type { ProfileName } from '../workload/workload-profile.ts';

const DAY_MS = 86_400_000;

export interface BenchMessage {
  source: InputSource;
  key: string;
  value: Buffer;
  /** The generator's send time: the Kafka timestamp (event time stays consistent with it). */
  sendTimeMs: number;
  /** Absent on malformed messages. */
  eventId: string | undefined;
}

export interface BenchWorkload {
  profile: string;
  seed: number;
  messages: BenchMessage[];
  bytes: number;
  bySource: Record<InputSource, number>;
  malformed: number;
  duplicates: number;
  late: number;
  /** Distinct event ids among the valid messages: rows journey_events must hold after a drain. */
  distinctValidEvents: number;
  generateSeconds: number;
}

export async function prepareWorkload(
  config: PipelineConfig,
  options: { profile: string; seed: number; events: number; endMs: number },
): Promise<BenchWorkload> {
  const started = performance.now();
  const profile = resolveProfile(options.profile as ProfileName);
  const workload = generateHistory(profile, options.seed, options.endMs - profile.historyDays * DAY_MS);
  const avro = await registerInputSchemas(config);
  const messages: BenchMessage[] = [];
  const bySource: Record<InputSource, number> = { behavior: 0, tickets: 0, surveys: 0, billing: 0 };
  const ids = new Set<string>();
  let bytes = 0;
  let malformed = 0;
  let duplicates = 0;
  let late = 0;
  for (const m of workload.messages) {
    const value = encodeRawMessage(m, avro);
    messages.push({
      source: m.topic,
      key: m.key,
      value,
      sendTimeMs: m.sendTimeMs,
      eventId: m.malformed ? undefined : m.eventId,
    });
    bytes += value.length;
    bySource[m.topic]++;
    if (m.malformed) malformed++;
    else if (m.eventId) ids.add(m.eventId);
    if (m.duplicate) duplicates++;
    if (m.late) late++;
    if (messages.length >= options.events) break;
  }
  return {
    profile: profile.name,
    seed: options.seed,
    messages,
    bytes,
    bySource,
    malformed,
    duplicates,
    late,
    distinctValidEvents: ids.size,
    generateSeconds: (performance.now() - started) / 1000,
  };
}
