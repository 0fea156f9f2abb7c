// The journey partitioned by account against the single writer (docs/architecture.md, steps 4-5),
// in memory: a generated workload (sessions stitched at sign-up, accounts named by group calls and
// billing, tickets, surveys, churn) through the ingest's core, with watermark markers between its
// batches, is run (a) through the journey stage's own batch pipeline, as today, and (b) resolved
// and routed (route-resolved.ts) to 1, 3 and 5 partitions of the state step (keyed-partition.ts)
// that a seeded scheduler runs in random interleavings, handovers delivered late and early, and
// (c) on the wire, with crashes and restarts and operator commands (deletions, forced merges)
// between the events. Every run must end in the single writer's account and person states, field
// for field, with the same stage effects, churn scores, alerts and outcomes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import { encodeFramed, journeyEventType } from '../shared/kafka/canonical-codec.ts';
import { watermarkMarkerMessages } from '../shared/kafka/watermark-marker.ts';
import type { WatermarkMarker } from '../shared/kafka/watermark-marker.ts';
import { loadConfig } from '../shared/config/config.ts';
import { createIdentityGraph, describeIdentityGraph, resolve } from '../identity/identity-core.ts';
import { ingestWorkload } from '../bench/measure-link-facts.ts';
import { Rng } from '../workload/prng.ts';
import { b2b } from '../../test/support/journey-test-events.ts';
import { TEST_SCHEMA_ID, testTopology } from '../../test/support/journey-test-topology.ts';
import { loadChurnConfig } from '../churn/churn-config-file.ts';
import { createAccountStore } from './account-store.ts';
import { emptyStepOutput } from './apply-journey-step.ts';
import type { JourneyContext, JourneyStepOutput } from './apply-journey-step.ts';
import { identityConfigFrom } from './journey-service.ts';
import { processJourneyBatch } from './journey-pipeline.ts';
import type { JourneyBatchResult } from './journey-pipeline.ts';
import { applyKeyedChangelog, finishKeyedRestore } from './keyed-partition-changelog.ts';
import { partitionOfKey } from './resolved-record-codec.ts';
import { processRouteBatch, processRouteCommands } from './route-pipeline.ts';
import { processIdentityCommands } from './identity-commands-pipeline.ts';
import { processStateBatch } from './state-pipeline.ts';
import type { StateTopology } from './state-pipeline.ts';
import { applyResolvedRecord, createKeyedPartition } from './keyed-partition.ts';
import type { KeyedPartition } from './keyed-partition.ts';
import { createRouteState, routeResolved } from './route-resolved.ts';
import type { ResolvedRecord } from './route-resolved.ts';
import { serializeState } from './serialize-state.ts';

const END = Date.UTC(2026, 10, 30);
const MARKER_EVERY = 40;
const churn = loadChurnConfig('config/churn.yaml');
if (!churn.ok) throw new Error(churn.problems.join('; '));
const ctx: JourneyContext = { map: b2b, churn: churn.config };
const identity = identityConfigFrom(loadConfig({ ...process.env, PII_HMAC_KEY: 'partitioned-journey-key' }));

type Input = { kind: 'event'; event: JourneyEvent } | { kind: 'marker'; marker: WatermarkMarker };

/** The canonical stream: the workload's events with a marker of their raw input every few events. */
function withMarkers(events: readonly JourneyEvent[]): Input[] {
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

interface Outcome {
  states: Map<string, string>;
  /** Effects, scores, alerts and outcomes, each as JSON, sorted. */
  outputs: string[];
}

const outputsOf = (out: JourneyStepOutput): string[] =>
  [
    ...out.effects.map((e) => `effect ${JSON.stringify(e)}`),
    ...out.scores.map((s) => `score ${JSON.stringify(s)}`),
    ...out.alerts.map((a) => `alert ${JSON.stringify(a)}`),
    ...out.outcomes.map((o) => `outcome ${JSON.stringify(o)}`),
  ].sort();

const eventType = journeyEventType();

/** The canonical topic's messages: Avro events and marker messages, on partition 0. */
function canonicalMessages(inputs: readonly Input[]): ConsumedMessage[] {
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
interface Command {
  at: number;
  body: Record<string, string>;
}

const commandMessage = (c: Command, i: number): ConsumedMessage => ({
  topic: 'commands',
  partition: 0,
  offset: String(i),
  key: null,
  value: Buffer.from(JSON.stringify(c.body)),
  headers: {},
  timestampMs: 0,
});

/** The canonical stream cut where commands apply: [from, to) ranges, each followed by its command. */
function segments(
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

function singleWriter(inputs: readonly Input[], commands: readonly Command[] = []): Outcome {
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

function collect(out: JourneyStepOutput, result: JourneyBatchResult): void {
  out.effects.push(...result.outputs.journeyEffects.map((e) => e.effect));
  out.scores.push(...result.outputs.scores);
  out.alerts.push(...result.outputs.alerts);
  out.outcomes.push(...result.outputs.outcomes.map((o) => o.outcome));
}

const partitionOf = partitionOfKey;

/** (b) Resolved and routed to `partitions` state partitions, run in a seeded random interleaving. */
function partitioned(
  inputs: readonly Input[],
  partitions: number,
  seed: number,
): Outcome & { handovers: number } {
  const graph = createIdentityGraph();
  const route = createRouteState();
  const streams: ResolvedRecord[][] = Array.from({ length: partitions }, () => []);
  for (const input of inputs) {
    if (input.kind === 'marker') {
      for (const stream of streams) stream.push({ kind: 'marker', origin: 0, marker: input.marker });
      continue;
    }
    const resolved = resolve(graph, structuredClone(input.event), input.event.received_time, identity);
    if (resolved.outcome.kind !== 'resolved') continue;
    for (const record of routeResolved(route, resolved.outcome.event, resolved.effects))
      if (record.kind !== 'marker' && record.kind !== 'forget')
        streams[partitionOf(record.key, partitions)]!.push(record);
  }
  const parts: KeyedPartition[] = streams.map(() => createKeyedPartition());
  const handovers: ResolvedRecord[][] = streams.map(() => []);
  const next = streams.map(() => 0);
  const out = emptyStepOutput();
  let sent = 0;
  const rng = new Rng(seed);
  for (;;) {
    const ready: Array<[number, 'stream' | 'handover']> = [];
    streams.forEach((stream, p) => {
      if (next[p]! < stream.length) ready.push([p, 'stream']);
      if (handovers[p]!.length > 0) ready.push([p, 'handover']);
    });
    if (ready.length === 0) break;
    const [p, from] = ready[rng.int(0, ready.length - 1)]!;
    const record = from === 'stream' ? streams[p]![next[p]!++]! : handovers[p]!.shift()!;
    applyResolvedRecord(parts[p]!, record, {
      ctx,
      sweepIntervalMs: testTopology().sweepIntervalMs,
      out,
      send: (h) => {
        sent++;
        handovers[partitionOf(h.key, partitions)]!.push(h);
      },
      erase: () => undefined,
    });
  }
  for (const part of parts) assert.equal(part.waiting.size + part.early.size, 0, 'every handover arrived');
  const states = new Map<string, string>();
  for (const part of parts) for (const [key, s] of part.store.states) states.set(key, serializeState(s));
  return { states, outputs: outputsOf(out), handovers: sent };
}

test('the journey partitioned by account ends in the single writer states and effects, in any interleaving', async (t) => {
  const { events } = await ingestWorkload('tiny', Infinity, { seed: 18, endMs: END });
  const inputs = withMarkers(events);
  const expected = singleWriter(inputs);
  const persons = [...expected.states.keys()].filter((k) => !k.startsWith('acc_')).length;
  t.diagnostic(
    `${events.length} events, ${expected.states.size} states (${persons} pre-account), ${expected.outputs.length} outputs`,
  );
  assert.ok(expected.states.size > 50 && expected.outputs.length > 200);
  for (const [partitions, seed] of [
    [1, 1],
    [3, 3],
    [5, 5],
  ] as const) {
    const got = partitioned(inputs, partitions, seed);
    t.diagnostic(`${partitions} partitions (seed ${seed}): ${got.handovers} handovers`);
    assert.ok(got.handovers > 0, 'states moved between keys');
    assert.deepEqual(
      [...got.states.keys()].sort(),
      [...expected.states.keys()].sort(),
      `${partitions}: keys`,
    );
    for (const [key, state] of expected.states)
      assert.equal(got.states.get(key), state, `${partitions}: ${key}`);
    assert.deepEqual(got.outputs, expected.outputs, `${partitions} partitions: outputs`);
  }
});

/** (c) On the wire: the resolve step's batches (route-pipeline.ts) write the resolved topic's
 *  partitions, each state partition consumes its own (state-pipeline.ts) in batches of random
 *  size, sends handovers through the topic, and now and then crashes before committing (its
 *  outputs and handovers dropped, the partition restored from its changelog, the batch redone) or
 *  restarts after committing. Route and state batches interleave at random. */
function onTheWire(
  inputs: readonly Input[],
  partitions: number,
  seed: number,
  commands: readonly Command[] = [],
): Outcome & { crashes: number; erasures: number } {
  const rng = new Rng(seed);
  const canonical = canonicalMessages(inputs);
  const resolved = { topic: 'resolved', partitions, eventType, eventSchemaId: TEST_SCHEMA_ID };
  const topology: StateTopology = { ...testTopology(), resolved };
  const routeState = { graph: createIdentityGraph(), route: createRouteState() };
  const logs: ConsumedMessage[][] = Array.from({ length: partitions }, () => []);
  const append = (messages: readonly OutboundMessage[]): void => {
    for (const m of messages) {
      if (m.topic !== 'resolved') continue;
      const log = logs[m.partition!]!;
      log.push({
        topic: 'resolved',
        partition: m.partition!,
        offset: String(log.length),
        key: m.key === null ? null : Buffer.from(m.key),
        value: m.value === null ? null : Buffer.from(m.value),
        headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
        timestampMs: 0,
      });
    }
  };
  const restore = (entries: ReadonlyArray<{ key: string; value: string | null }>): KeyedPartition => {
    const part = createKeyedPartition();
    for (const e of entries) applyKeyedChangelog(part, e.key, e.value);
    return finishKeyedRestore(part);
  };
  const states = logs.map(() => ({
    part: createKeyedPartition(),
    changelog: [] as Array<{ key: string; value: string | null }>,
    next: 0,
  }));
  const out = emptyStepOutput();
  const pending = segments(canonical.length, commands);
  let routed = 0;
  let crashes = 0;
  const erased = new Set<string>();
  for (;;) {
    const ready = states.flatMap((s, p) => (s.next < logs[p]!.length ? [p] : []));
    if (pending.length > 0) ready.push(-1);
    if (ready.length === 0) break;
    const actor = ready[rng.int(0, ready.length - 1)]!;
    if (actor === -1) {
      const segment = pending[0]!;
      if (routed < segment.to) {
        const batch = canonical.slice(routed, Math.min(segment.to, routed + rng.int(1, 200)));
        append(processRouteBatch(batch, routeState, { ...topology, resolved }, identity, 0).messages);
        routed += batch.length;
        continue;
      }
      pending.shift();
      if (segment.command !== null) {
        const message = commandMessage(commands[segment.command]!, segment.command);
        append(processRouteCommands([message], routeState, { ...topology, resolved }, END).messages);
      }
      continue;
    }
    const s = states[actor]!;
    const batch = logs[actor]!.slice(s.next, s.next + rng.int(1, 60));
    const result = processStateBatch(batch, s.part, topology, ctx, 0);
    const roll = rng.int(0, 99);
    if (roll < 8) {
      crashes++;
      s.part = restore(s.changelog);
      continue;
    }
    for (const m of [...result.changelog, ...result.checkpoint])
      s.changelog.push({ key: String(m.key), value: m.value === null ? null : String(m.value) });
    append(result.messages);
    collect(out, result);
    for (const e of result.erasures) erased.add(`${actor}/${e.command_id}`);
    s.next += batch.length;
    if (roll < 12) s.part = restore(s.changelog);
  }
  const got = new Map<string, string>();
  for (const s of states) {
    assert.equal(s.part.waiting.size + s.part.early.size, 0, 'every handover arrived');
    for (const [key, state] of s.part.store.states) got.set(key, serializeState(state));
  }
  return { states: got, outputs: outputsOf(out), crashes, erasures: erased.size };
}

/** Deletions and forced merges of persons who exist by then: some with accounts, some before one. */
function operatorCommands(inputs: readonly Input[]): Command[] {
  const at = (share: number) => Math.floor(inputs.length * share);
  const graph = createIdentityGraph();
  for (const input of inputs.slice(0, at(0.4)))
    if (input.kind === 'event')
      resolve(graph, structuredClone(input.event), input.event.received_time, identity);
  const persons = describeIdentityGraph(graph).persons;
  const withAccount = persons.filter((p) => p.accounts.length > 0).map((p) => p.person_id);
  const without = persons.filter((p) => p.accounts.length === 0).map((p) => p.person_id);
  // Merged ones must still be persons of their own at the merge (not stitched since).
  for (const input of inputs.slice(at(0.4), at(0.5)))
    if (input.kind === 'event')
      resolve(graph, structuredClone(input.event), input.event.received_time, identity);
  const alive = new Set(describeIdentityGraph(graph).persons.map((p) => p.person_id));
  const mergeable = without.slice(1).filter((p) => alive.has(p));
  assert.ok(withAccount.length >= 4 && without.length >= 4, 'persons to command');
  const del = (id: string, person: string, share: number): Command => ({
    at: at(share),
    body: { command: 'delete', command_id: id, person_id: person },
  });
  const merge = (id: string, a: string, b: string, share: number): Command => ({
    at: at(share),
    body: { command: 'force-merge', command_id: id, person_id: a, other_person_id: b },
  });
  return [
    del('d1', withAccount[0]!, 0.4),
    del('d2', without[0]!, 0.45),
    merge('m1', mergeable[0]!, mergeable[1]!, 0.5),
    merge('m2', mergeable[2]!, withAccount[1]!, 0.5),
    del('d3', withAccount[2]!, 0.7),
  ];
}

test('on the wire, with crashes before commits, restarts from the changelog and operator commands: the single writer states and effects', async (t) => {
  const { events } = await ingestWorkload('tiny', Infinity, { seed: 18, endMs: END });
  const inputs = withMarkers(events);
  const commands = operatorCommands(inputs);
  const expected = singleWriter(inputs, commands);
  for (const [partitions, seed] of [
    [1, 11],
    [2, 12],
    [3, 13],
  ] as const) {
    const got = onTheWire(inputs, partitions, seed, commands);
    t.diagnostic(`${partitions} partitions (seed ${seed}): ${got.crashes} crashes, ${got.erasures} erasures`);
    assert.ok(got.crashes > 0);
    assert.equal(got.erasures, 3 * partitions, 'every partition erases every deletion');
    assert.deepEqual(
      [...got.states.keys()].sort(),
      [...expected.states.keys()].sort(),
      `${partitions}: keys`,
    );
    for (const [key, state] of expected.states)
      assert.equal(got.states.get(key), state, `${partitions}: ${key}`);
    assert.deepEqual(got.outputs, expected.outputs, `${partitions} partitions: outputs`);
  }
});
