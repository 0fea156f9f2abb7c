// The single-writer reference for the partitioned journey's tests (services/journey/
// partitioned-journey*.test.ts): a generated workload's canonical stream with watermark markers,
// operator commands cut into it, and the journey stage's own batch pipeline over them, whose
// account and person states and outputs the partitioned runs must end in.
import assert from 'node:assert/strict';
import type { JourneyEvent } from '../../services/shared/generated/avro-types.ts';
import type { ConsumedMessage } from '../../services/shared/kafka/batch-consumer.ts';
import { encodeFramed, journeyEventType } from '../../services/shared/kafka/canonical-codec.ts';
import { watermarkMarkerMessages } from '../../services/shared/kafka/watermark-marker.ts';
import type { WatermarkMarker } from '../../services/shared/kafka/watermark-marker.ts';
import { loadConfig } from '../../services/shared/config/config.ts';
import { createIdentityGraph } from '../../services/identity/identity-core.ts';
import { b2b } from './journey-test-events.ts';
import { Rng, mix32 } from '../../services/workload/prng.ts';
import { TEST_SCHEMA_ID, testTopology } from './journey-test-topology.ts';
import { loadChurnConfig } from '../../services/churn/churn-config-file.ts';
import { createAccountStore } from '../../services/journey/account-store.ts';
import { emptyStepOutput } from '../../services/journey/apply-journey-step.ts';
import type { JourneyContext, JourneyStepOutput } from '../../services/journey/apply-journey-step.ts';
import { identityConfigFrom } from '../../services/journey/journey-service.ts';
import { processJourneyBatch } from '../../services/journey/journey-pipeline.ts';
import type { JourneyBatchResult } from '../../services/journey/journey-pipeline.ts';
import { processIdentityCommands } from '../../services/journey/identity-commands-pipeline.ts';
import { serializeState } from '../../services/journey/serialize-state.ts';

export const END = Date.UTC(2026, 10, 30);
export const MARKER_EVERY = 40;
const churn = loadChurnConfig('config/churn.yaml');
if (!churn.ok) throw new Error(churn.problems.join('; '));
export const ctx: JourneyContext = { map: b2b, churn: churn.config };
export const identity = identityConfigFrom(
  loadConfig({ ...process.env, PII_HMAC_KEY: 'partitioned-journey-key' }),
);

export type Input = { kind: 'event'; event: JourneyEvent } | { kind: 'marker'; marker: WatermarkMarker };

/** The canonical stream: the workload's events with a marker of their raw input every few events. */
export function withMarkers(events: readonly JourneyEvent[]): Input[] {
  const inputs: Input[] = [];
  let max: number | null = null;
  const marker = (): Input => ({
    kind: 'marker',
    marker: { source: 'behavior/0', eventTime: max, idle: false, inputs: { behavior: 1 } },
  });
  inputs.push(marker());
  events.forEach((event, i) => {
    inputs.push({ kind: 'event', event });
    max = Math.max(max ?? -Infinity, event.event_time);
    if (i % MARKER_EVERY === MARKER_EVERY - 1) inputs.push(marker());
  });
  inputs.push(marker());
  return inputs;
}

/** The raw topics of `withIngestMarkers` with their partition counts, as the ingest lists them. */
const RAW_PARTITIONS: Readonly<Record<string, number>> = { behavior: 3, tickets: 1, surveys: 1, billing: 2 };

/** The raw partition an event was read from: its source's topic, by its first identifier. */
function rawSourceOf(event: JourneyEvent): string {
  const topic = event.source in RAW_PARTITIONS ? event.source : 'behavior';
  const ids = event.ids;
  const key = ids.anonymous_id ?? ids.user_id ?? ids.billing_customer_id ?? ids.account_id ?? event.event_id;
  let h = 0;
  for (let i = 0; i < key.length; i++) h = mix32(h, key.charCodeAt(i));
  return `${topic}/${h % RAW_PARTITIONS[topic]!}`;
}

/**
 * The canonical stream as the ingest writes it from several raw partitions (docs/journey.md, event
 * time): each raw partition's events in their order, read in batches of random size from partitions
 * picked at random — some far ahead of others in event time — each batch with its marker after it
 * (and one ahead of a partition's first batch and its first after an idle announcement), a drained
 * partition announced idle now and then, every partition idle at the end. Events behind the
 * watermark, sources days apart, idle ones waking: what a backlog or a replay brings.
 */
export function withIngestMarkers(events: readonly JourneyEvent[], seed: number): Input[] {
  const rng = new Rng(seed);
  const queues = new Map<string, JourneyEvent[]>();
  for (const event of events) {
    const source = rawSourceOf(event);
    queues.set(source, [...(queues.get(source) ?? []), event]);
  }
  const known = new Map<string, number | null>();
  const idle = new Set<string>();
  const inputs: Input[] = [];
  const marker = (source: string, eventTime: number | null, isIdle: boolean): Input => ({
    kind: 'marker',
    marker: { source, eventTime, idle: isIdle, inputs: { ...RAW_PARTITIONS } },
  });
  const sources = [...queues.keys()].sort();
  for (;;) {
    const open = sources.filter((s) => queues.get(s)!.length > 0);
    if (open.length === 0) break;
    const source = open[rng.int(0, open.length - 1)]!;
    const queue = queues.get(source)!;
    const batch = queue.splice(0, rng.int(1, 60));
    if (!known.has(source) || idle.has(source)) inputs.push(marker(source, known.get(source) ?? null, false));
    idle.delete(source);
    let max = known.get(source) ?? null;
    for (const event of batch) {
      inputs.push({ kind: 'event', event });
      max = max === null ? event.event_time : Math.max(max, event.event_time);
    }
    known.set(source, max);
    inputs.push(marker(source, max, false));
    if (queue.length === 0 || rng.chance(0.05)) {
      // Quiet for the idle timeout: announced idle (a partition with events left wakes again).
      if (queue.length === 0 || rng.chance(0.5)) {
        idle.add(source);
        inputs.push(marker(source, max, true));
      }
    }
  }
  for (const source of sources) if (!idle.has(source)) inputs.push(marker(source, known.get(source)!, true));
  return inputs;
}

export interface Outcome {
  states: Map<string, string>;
  /** Effects, scores, alerts and outcomes, each as JSON, sorted. */
  outputs: string[];
}

export const outputsOf = (out: JourneyStepOutput): string[] =>
  [
    ...out.effects.map((e) => `effect ${JSON.stringify(e)}`),
    ...out.scores.map((s) => `score ${JSON.stringify(s)}`),
    ...out.alerts.map((a) => `alert ${JSON.stringify(a)}`),
    ...out.outcomes.map((o) => `outcome ${JSON.stringify(o)}`),
  ].sort();

export const eventType = journeyEventType();

/** The canonical topic's messages: Avro events and marker messages, on partition 0. */
export function canonicalMessages(inputs: readonly Input[]): ConsumedMessage[] {
  return inputs.map((input, i) => {
    const base = { topic: 'canonical', partition: 0, offset: String(i), key: null, timestampMs: 0 };
    if (input.kind === 'event')
      return { ...base, value: encodeFramed(eventType, TEST_SCHEMA_ID, input.event), headers: {} };
    const m = watermarkMarkerMessages('canonical', 1, input.marker)[0]!;
    return {
      ...base,
      value: Buffer.from(m.value as string),
      headers: Object.fromEntries(Object.entries(m.headers!).map(([k, v]) => [k, Buffer.from(v)])),
    };
  });
}

/** (a) The journey stage's batch pipeline, as it runs today. */
/** Operator commands, each applied once the canonical stream reached `at`. */
export interface Command {
  at: number;
  body: Record<string, string>;
}

export const commandMessage = (c: Command, i: number): ConsumedMessage => ({
  topic: 'commands',
  partition: 0,
  offset: String(i),
  key: null,
  value: Buffer.from(JSON.stringify(c.body)),
  headers: {},
  timestampMs: 0,
});

/** The canonical stream cut where commands apply: [from, to) ranges, each followed by its command. */
export function segments(
  length: number,
  commands: readonly Command[],
): Array<{ from: number; to: number; command: number | null }> {
  const cuts = [...commands.entries()].sort((a, b) => a[1].at - b[1].at);
  const out: Array<{ from: number; to: number; command: number | null }> = [];
  let from = 0;
  for (const [i, c] of cuts) {
    out.push({ from, to: c.at, command: i });
    from = c.at;
  }
  out.push({ from, to: length, command: null });
  return out;
}

export function singleWriter(inputs: readonly Input[], commands: readonly Command[] = []): Outcome {
  const topology = testTopology();
  const messages = canonicalMessages(inputs);
  const state = { graph: createIdentityGraph(), accounts: createAccountStore() };
  state.accounts.inputPartitions = [0];
  const out = emptyStepOutput();
  for (const segment of segments(messages.length, commands)) {
    for (let i = segment.from; i < segment.to; i += 500)
      collect(
        out,
        processJourneyBatch(
          messages.slice(i, Math.min(i + 500, segment.to)),
          state,
          topology,
          identity,
          ctx,
          0,
        ),
      );
    if (segment.command !== null)
      collect(
        out,
        processIdentityCommands(
          [commandMessage(commands[segment.command]!, segment.command)],
          state,
          topology,
          ctx,
          END,
        ),
      );
  }
  return {
    states: new Map([...state.accounts.states].map(([key, s]) => [key, serializeState(s)])),
    outputs: outputsOf(out),
  };
}

export function collect(out: JourneyStepOutput, result: JourneyBatchResult): void {
  out.effects.push(...result.outputs.journeyEffects.map((e) => e.effect));
  out.scores.push(...result.outputs.scores);
  out.alerts.push(...result.outputs.alerts);
  out.outcomes.push(...result.outputs.outcomes.map((o) => o.outcome));
}

/** The same account and person states, field for field, and the same outputs. */
export function assertSameOutcome(got: Outcome, expected: Outcome, label: string): void {
  assert.deepEqual([...got.states.keys()].sort(), [...expected.states.keys()].sort(), `${label}: keys`);
  for (const [key, state] of expected.states) assert.equal(got.states.get(key), state, `${label}: ${key}`);
  assert.deepEqual(got.outputs, expected.outputs, `${label}: outputs`);
}
