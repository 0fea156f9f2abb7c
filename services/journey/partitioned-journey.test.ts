// The journey partitioned by account against the single writer (docs/architecture.md, steps 4-5),
// in memory: a generated workload (sessions stitched at sign-up, accounts named by group calls and
// billing, tickets, surveys, churn) through the ingest's core, with watermark markers between its
// batches, is run (a) through the journey stage's own batch pipeline, as today, and (b) resolved
// and routed (route-resolved.ts) to 1, 3 and 5 partitions of the state step (keyed-partition.ts)
// that a seeded scheduler runs in random interleavings, handovers delivered late and early, and
// (c) on the wire, with crashes and restarts and operator commands (deletions, forced merges)
// between the events. Every run must end in the single writer's account and person states, field
// for field, with the same stage effects, churn scores, alerts and outcomes. The canonical stream
// is the workload with one source's marker every few events, and (since session 23, when a real
// run's first events before any marker made the two differ) the stream the ingest writes from
// several raw partitions read in skewed batches (partitioned-reference.ts withIngestMarkers).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createIdentityGraph, resolve } from '../identity/identity-core.ts';
import { ingestWorkload } from '../bench/measure-link-facts.ts';
import { Rng } from '../workload/prng.ts';
import { testTopology } from '../../test/support/journey-test-topology.ts';
import { emptyStepOutput } from './apply-journey-step.ts';
import { partitionOfKey } from './resolved-record-codec.ts';
import { applyResolvedRecord, createKeyedPartition } from './keyed-partition.ts';
import type { KeyedPartition } from './keyed-partition.ts';
import { createRouteState, routeResolved } from './route-resolved.ts';
import type { ResolvedRecord } from './route-resolved.ts';
import { serializeState } from './serialize-state.ts';
import {
  END,
  ctx,
  identity,
  outputsOf,
  assertSameOutcome,
  singleWriter,
  withIngestMarkers,
  withMarkers,
} from '../../test/support/partitioned-reference.ts';
import type { Input, Outcome } from '../../test/support/partitioned-reference.ts';

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
    assertSameOutcome(got, expected, `${partitions} partitions`);
  }
});

test('the same on the canonical stream the ingest writes from seven raw partitions: batches, skew, idle and waking sources', async (t) => {
  const { events } = await ingestWorkload('tiny', Infinity, { seed: 18, endMs: END });
  for (const seed of [1, 2, 3]) {
    const inputs = withIngestMarkers(events, seed);
    const markers = inputs.filter((i) => i.kind === 'marker').length;
    const expected = singleWriter(inputs);
    const got = partitioned(inputs, 3, seed);
    t.diagnostic(
      `stream ${seed}: ${markers} markers, ${expected.outputs.length} outputs, ${got.handovers} handovers`,
    );
    assert.ok(got.handovers > 0, 'states moved between keys');
    assertSameOutcome(got, expected, `stream ${seed}`);
  }
});
