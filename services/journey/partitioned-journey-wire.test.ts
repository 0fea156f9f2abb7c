// The journey partitioned by account on the wire (docs/architecture.md, steps 4-5), in memory: the
// route's batches write the resolved topic's partitions, each state partition consumes its own in
// batches of random size, with crashes before commits, restarts from the changelog and operator
// commands (deletions, forced merges) between the events, over the canonical stream the ingest
// writes from several raw partitions (skewed batches, idle and waking sources). Every run must end
// in the single writer's account and person states and outputs (test/support/partitioned-reference.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import { createIdentityGraph, describeIdentityGraph, resolve } from '../identity/identity-core.ts';
import { ingestWorkload } from '../bench/measure-link-facts.ts';
import { Rng } from '../workload/prng.ts';
import { TEST_SCHEMA_ID, testTopology } from '../../test/support/journey-test-topology.ts';
import { emptyStepOutput } from './apply-journey-step.ts';
import { applyKeyedChangelog, finishKeyedRestore } from './keyed-partition-changelog.ts';
import { processRouteBatch, processRouteCommands } from './route-pipeline.ts';
import { processStateBatch } from './state-pipeline.ts';
import type { StateTopology } from './state-pipeline.ts';
import { createKeyedPartition } from './keyed-partition.ts';
import type { KeyedPartition } from './keyed-partition.ts';
import { createRouteState } from './route-resolved.ts';
import { serializeState } from './serialize-state.ts';
import {
  END,
  canonicalMessages,
  collect,
  commandMessage,
  ctx,
  eventType,
  identity,
  outputsOf,
  assertSameOutcome,
  segments,
  singleWriter,
  withIngestMarkers,
} from '../../test/support/partitioned-reference.ts';
import type { Command, Input, Outcome } from '../../test/support/partitioned-reference.ts';

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
  // The stream the ingest writes from several raw partitions (partitioned-reference.ts).
  const inputs = withIngestMarkers(events, 2);
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
    assertSameOutcome(got, expected, `${partitions} partitions`);
  }
});
