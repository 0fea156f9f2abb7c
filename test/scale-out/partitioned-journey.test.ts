// Issue #18 through the real broker and ClickHouse: JOURNEY_TOPOLOGY=partitioned, the route stage
// feeding three resolved partitions, and the journey's state step scaled out — one instance, then
// three (a rebalance that restores every partition from its changelog), then back to two — while
// the workload streams in. The end must be the single-writer journey's run
// over the same canonical topic: the same account states, stage transitions, signals and stored
// events in ClickHouse, and the same states in memory, field for field. With IDENTITY_RESOLVER=on
// the ingest also sends link facts: the resolver's graph (and the one it restores from its table
// after a restart) is the graph of every event, built from a fraction of them. Last, a GDPR
// deletion leaves no row naming the person in any table.
import { test } from 'node:test';
import pino from 'pino';
import assert from 'node:assert/strict';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import type { PipelineConfig } from '../../services/shared/config/config.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { startIngestService } from '../../services/ingest/ingest-service.ts';
import { startJourneyService } from '../../services/journey/journey-service.ts';
import { startRouteService } from '../../services/journey/route-service.ts';
import { startStateService } from '../../services/journey/state-service.ts';
import { awaitedHandovers } from '../../services/journey/keyed-partition.ts';
import { allInputsIdle, markersSeen } from '../../services/journey/input-watermarks.ts';
import { serializeState } from '../../services/journey/serialize-state.ts';
import { memberKey } from '../../services/journey/bounded-sets.ts';
import { describeIdentityGraph } from '../../services/identity/identity-core.ts';
import { startResolverService } from '../../services/resolver/resolver-service.ts';
import { produceWorkload } from '../../services/workload/produce-workload.ts';
import { freshPipeline } from '../support/pipeline.ts';
import { searchDatabase } from '../support/search-database.ts';
import { groupSettled, testKafka, waitFor } from '../support/stack.ts';
import { journeySnapshot } from '../support/journey-snapshot.ts';
import { namedInstances } from '../support/named-instances.ts';
import { graphDifference, NO_DIFFERENCE } from '../support/graph-difference.ts';

const quiet = { JOURNEY_IDLE_TICK_SECONDS: '0' };

async function messagesIn(topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    // Transactional topics: each committed batch adds a commit marker, counted here as a message.
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}
const DAY = 86_400_000;

test('the journey partitioned by account, scaled 1 -> 3 -> 2 instances mid-stream, ends in the single writer state', async (t) => {
  const { config } = await freshPipeline({
    ...quiet,
    JOURNEY_TOPOLOGY: 'partitioned',
    TOPIC_PARTITIONS: '3',
    IDENTITY_RESOLVER: 'on',
  });
  const log = process.env.CHECK_LOG
    ? createLogger('debug', pino.destination({ dest: process.env.CHECK_LOG, sync: true }))
    : createLogger('silent');
  // Reference: the single writer in its own group and database over the same canonical topic.
  const single: PipelineConfig = (await freshPipeline({ ...quiet, TOPIC_CANONICAL: config.TOPIC_CANONICAL }))
    .config;
  const reference = await startJourneyService(single, log, createMetrics(false));
  t.after(() => reference.stop());
  const route = await startRouteService(config, log, createMetrics(false));
  t.after(() => route.stop());
  let resolver = await startResolverService(config, log, createMetrics(false));
  t.after(() => resolver.stop());
  const { instances, start, stop } = namedInstances(t, (name) =>
    startStateService({ ...config, INSTANCE_ID: name }, log, createMetrics(false)),
  );
  await start('a');
  const ingest = await startIngestService(config, log, createMetrics(false));
  t.after(() => ingest.stop());

  // The workload streams in while instances join and one leaves, each change once the state step
  // has committed more of the resolved topic.
  const resolvedCommitted = async (): Promise<number> => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({
        groupId: config.JOURNEY_GROUP_ID,
        topics: [config.TOPIC_RESOLVED],
      });
      return (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    } finally {
      await admin.disconnect();
    }
  };
  const producing = produceWorkload(config, {
    profile: 'tiny',
    seed: 23,
    endMs: Date.now() - DAY,
    batchSize: 100,
  });
  for (const [at, change] of [
    [800, () => Promise.all([start('b'), start('c')])],
    [2500, () => stop('a')],
  ] as const) {
    await waitFor(
      `${at} resolved records committed`,
      async () => ((await resolvedCommitted()) >= at ? true : undefined),
      120_000,
      100,
    );
    await change();
  }
  await producing;

  const raw = [config.TOPIC_BEHAVIOR, config.TOPIC_TICKETS, config.TOPIC_SURVEYS, config.TOPIC_BILLING];
  const parts = () => [...instances.values()].flatMap((s) => [...s.partitions().values()]);
  // What the last probe saw, in the timeout's message: which stage or partition is not done.
  let seen = '';
  const settled = async (): Promise<boolean> => {
    const groups = {
      ingest: await groupSettled(config.INGEST_GROUP_ID, raw),
      route: await groupSettled(config.ROUTE_GROUP_ID, [config.TOPIC_CANONICAL]),
      state: await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_RESOLVED]),
    };
    const owned = [...instances].map(([name, s]) => `${name}:[${[...s.partitions().keys()].join(',')}]`);
    const busy = parts().flatMap((p, i) =>
      markersSeen(p.store.inputs) && allInputsIdle(p.store.inputs)
        ? []
        : [
            `part ${i}: ${[...p.store.inputs].map(
              ([c, sources]) =>
                `${c}{${[...sources]
                  .filter(([, m]) => !m.idle)
                  .map(([s]) => s)
                  .join(' ')}}`,
            )}`,
          ],
    );
    const held = parts().reduce((n, p) => n + awaitedHandovers(p), 0);
    seen = `${JSON.stringify(groups)} owned ${owned.join(' ')} not idle ${busy.join('; ') || '-'} handovers awaited ${held}`;
    return (
      groups.ingest &&
      groups.route &&
      groups.state &&
      parts().length === 3 &&
      busy.length === 0 &&
      held === 0 &&
      // Settled again: the idle markers were forwarded and applied, nothing sent since.
      (await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_RESOLVED]))
    );
  };
  await waitFor(
    'the partitioned run at the end of its input, every raw partition idle',
    async () => ((await settled()) ? true : undefined),
    180_000,
    250,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${seen}`);
  });

  await waitFor(
    'the single-writer run',
    async () =>
      (await groupSettled(single.JOURNEY_GROUP_ID, [single.TOPIC_CANONICAL])) &&
      allInputsIdle(reference.state.accounts.inputs)
        ? true
        : undefined,
    120_000,
  );

  // The link facts' resolver built the graph the route stage (and the single writer) built from
  // every event, from a fraction of them; restarted, it rebuilds it from its table alone.
  const graph = reference.state.graph;
  assert.ok(
    describeIdentityGraph(graph).persons.some((p) => p.identifiers.length > 2 && p.accounts.length > 0),
    'stitched persons',
  );
  assert.deepEqual(graphDifference(route.state().graph, graph), NO_DIFFERENCE, 'the route stage graph');
  await waitFor('the resolver at the end of the links', async () =>
    (await groupSettled(config.RESOLVER_GROUP_ID, [config.TOPIC_IDENTITY_LINKS])) ? true : undefined,
  );
  assert.deepEqual(graphDifference(resolver.graph(), graph), NO_DIFFERENCE, 'the resolver graph');
  const links = await messagesIn(config.TOPIC_IDENTITY_LINKS);
  const canonical = await messagesIn(config.TOPIC_CANONICAL);
  t.diagnostic(`${canonical} canonical records (events and markers), ${links} link-fact records`);
  assert.ok(links < canonical / 2, `the resolver read ${links} records of ${canonical}`);
  await resolver.stop();
  resolver = await startResolverService(config, log, createMetrics(false));
  assert.deepEqual(graphDifference(resolver.graph(), graph), NO_DIFFERENCE, 'the restored resolver graph');

  const expectedStates = new Map(
    [...reference.state.accounts.states].map(([k, s]) => [k, serializeState(s)]),
  );
  const gotStates = new Map(
    parts().flatMap((p) => [...p.store.states].map(([k, s]) => [k, serializeState(s)] as const)),
  );
  assert.ok(expectedStates.size > 40, `${expectedStates.size} states`);
  assert.deepEqual([...gotStates.keys()].sort(), [...expectedStates.keys()].sort());
  for (const [key, state] of expectedStates) assert.equal(gotStates.get(key), state, key);

  const client = createClickHouse(config, { database: null });
  t.after(() => client.close());
  const scaled = await journeySnapshot(client, config.CLICKHOUSE_DATABASE);
  const expected = await journeySnapshot(client, single.CLICKHOUSE_DATABASE);
  assert.ok((expected['transitions'] as unknown[]).length > 20, 'stage transitions');
  assert.deepEqual(scaled['events'], expected['events']);
  assert.deepEqual(scaled['transitions'], expected['transitions']);
  assert.deepEqual(scaled['signals'], expected['signals']);
  assert.deepEqual(scaled['accounts'], expected['accounts']);

  // GDPR in partitioned mode: the route stage applies the deletion and erases, and every state
  // partition forgets the person and erases again after the events routed before it.
  const victim = describeIdentityGraph(route.state().graph).persons.find(
    (p) => p.accounts.length > 0 && p.identifiers.some((i) => i.key.startsWith('u:')),
  )!;
  const values = [victim.person_id, ...victim.identifiers.map((i) => i.key.slice(2))];
  const before = await searchDatabase(client, config.CLICKHOUSE_DATABASE, values);
  assert.ok(
    before.hits.some((h) => h.table === 'journey_events'),
    'the person is stored before',
  );
  const commands = testKafka().producer();
  await commands.connect();
  t.after(() => commands.disconnect());
  await commands.send({
    topic: config.TOPIC_IDENTITY_COMMANDS,
    messages: [
      { value: JSON.stringify({ command: 'delete', command_id: 'gdpr-1', person_id: victim.person_id }) },
    ],
  });
  await waitFor(
    'the deletion applied by the route stage and every state partition',
    async () =>
      (await groupSettled(config.ROUTE_GROUP_ID, [config.TOPIC_IDENTITY_COMMANDS])) &&
      (await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_RESOLVED])) &&
      !parts().some((p) => p.store.states.has(victim.person_id))
        ? true
        : undefined,
    120_000,
    250,
  );
  const after = await searchDatabase(client, config.CLICKHOUSE_DATABASE, values);
  assert.deepEqual(after.hits, [], 'no table names the deleted person');
  for (const part of parts())
    for (const state of part.store.states.values())
      assert.ok(
        state.champion !== victim.person_id && !(memberKey(victim.person_id) in state.members),
        `${state.key} forgot the person`,
      );
});
