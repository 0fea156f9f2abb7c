// `journey rebuild-state` rebuilds the journey state from the input, as docs/operations.md
// ("Rebuilding state") describes: it refuses without --yes and while a journey replica is in the
// group; with the stage stopped it empties both changelogs and moves the group back to the start of
// the canonical topic. The restarted stage then has no state to restore and replays every event —
// into a fresh ClickHouse database here, so nothing written before the rebuild can stand in for
// what the replay produced — and its account states equal those before the rebuild. The same with
// the journey partitioned by account (the route stage's group and the state step's both reset).
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ClickHouseClient } from '@clickhouse/client';
import { COMMANDS } from '../../services/cli/commands/index.ts';
import { parseCommand } from '../../services/cli/command-spec.ts';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import type { PipelineConfig } from '../../services/shared/config/config.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { startJourneyService } from '../../services/journey/journey-service.ts';
import { startRouteService } from '../../services/journey/route-service.ts';
import { startStateService } from '../../services/journey/state-service.ts';
import { awaitedHandovers } from '../../services/journey/keyed-partition.ts';
import { migrate } from '../../services/sink/migrate.ts';
import { produceWorkload } from '../../services/workload/produce-workload.ts';
import { runningPipeline } from '../support/running-pipeline.ts';
import { testKafka, uniqueName, waitFor, groupSettled } from '../support/stack.ts';

async function highWatermarks(topic: string): Promise<string[]> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).map((p) => p.high);
  } finally {
    await admin.disconnect();
  }
}

async function accountStates(
  client: ClickHouseClient,
  database: string,
): Promise<Array<Record<string, unknown>>> {
  const result = await client.query({
    query: `SELECT account_key, kind, stage, stage_entered_at, stalled, segment, plan, seats, active_seats,
                   mrr_cents, first_touch_channel, signup_at, activated_at, last_activity_at, churned_at,
                   features, experiments, funnel_steps, stage_entries, nps, csat, tickets_30d
            FROM ${database}.account_state FINAL WHERE deleted = 0 ORDER BY account_key`,
    format: 'JSONEachRow',
  });
  return result.json();
}

async function runCommand(config: PipelineConfig, argv: string[]): Promise<number> {
  const spec = COMMANDS['rebuild-state']!;
  const parsed = parseCommand(spec, argv);
  assert.equal(parsed.kind, 'run');
  if (parsed.kind !== 'run') return 2;
  return spec.run({ config, log: createLogger('silent'), args: parsed.args, values: parsed.values });
}

async function rebuildCase(t: TestContext, overrides: Record<string, string>): Promise<void> {
  const p = await runningPipeline(t, { JOURNEY_IDLE_TICK_SECONDS: '0', ...overrides });
  const { config } = p;
  const partitioned = config.JOURNEY_TOPOLOGY === 'partitioned';
  // The group reading the canonical topic: the journey's, or partitioned the route stage's.
  const inputGroup = partitioned ? config.ROUTE_GROUP_ID : config.JOURNEY_GROUP_ID;
  const rawTopics = [config.TOPIC_BEHAVIOR, config.TOPIC_TICKETS, config.TOPIC_SURVEYS, config.TOPIC_BILLING];
  await produceWorkload(config, { profile: 'tiny', seed: 11, endMs: Date.now() });
  await p.settled(rawTopics);
  const client = createClickHouse(config, { database: null });
  t.after(() => client.close());
  const before = await accountStates(client, config.CLICKHOUSE_DATABASE);
  assert.ok(before.length > 20, `the workload made accounts (${before.length})`);
  assert.ok(
    before.some((a) => a.stage !== before[0]!.stage),
    'in more than one stage',
  );
  const stored = async (topic: string) =>
    (await highWatermarks(topic)).reduce((n, high) => n + Number(high), 0);
  assert.ok((await stored(config.TOPIC_JOURNEY_CHANGELOG)) > 0, 'state was checkpointed');

  // Without --yes: nothing happens. With the stage running: refused, nothing happens.
  assert.equal(await runCommand(config, []), 2);
  assert.equal(await runCommand(config, ['--yes']), 1);
  assert.ok((await stored(config.TOPIC_JOURNEY_CHANGELOG)) > 0, 'changelog untouched');
  assert.ok(await groupSettled(inputGroup, [config.TOPIC_CANONICAL]), 'offsets untouched');

  await p.stopJourney();
  assert.equal(await runCommand(config, ['--yes']), 0);
  const recreated = [
    config.TOPIC_IDENTITY_CHANGELOG,
    config.TOPIC_JOURNEY_CHANGELOG,
    ...(partitioned ? [config.TOPIC_RESOLVED] : []),
  ];
  for (const topic of recreated) assert.equal(await stored(topic), 0, `${topic} recreated empty`);
  assert.equal(await groupSettled(inputGroup, [config.TOPIC_CANONICAL]), false, 'group moved back');

  // The rebuilt stage writes into a fresh database: its account states come from the replay alone.
  const rebuilt: PipelineConfig = { ...config, CLICKHOUSE_DATABASE: uniqueName('rebuilt') };
  await migrate(client, {
    database: rebuilt.CLICKHOUSE_DATABASE,
    retentionDays: config.CLICKHOUSE_RETENTION_DAYS,
  });
  const log = createLogger('silent');
  // Keys of the rebuilt state step waiting for a handover (their held records not yet applied).
  let awaited = (): number => 0;
  if (partitioned) {
    const route = await startRouteService(rebuilt, log, createMetrics(false));
    t.after(() => route.stop());
    const state = await startStateService(rebuilt, log, createMetrics(false));
    t.after(() => state.stop());
    awaited = () => [...state.partitions().values()].reduce((n, p) => n + awaitedHandovers(p), 0);
  } else {
    const journey = await startJourneyService(rebuilt, log, createMetrics(false));
    t.after(() => journey.stop());
  }
  await waitFor(
    'the replay of the canonical topic, every handover applied',
    async () =>
      (await groupSettled(inputGroup, [config.TOPIC_CANONICAL])) &&
      (!partitioned || (await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_RESOLVED]))) &&
      awaited() === 0
        ? true
        : undefined,
    180_000,
    250,
  );
  const after = await accountStates(client, rebuilt.CLICKHOUSE_DATABASE);
  assert.deepEqual(after, before);
}

test('rebuild-state, the single writer: refuses unless safe, then a replay from empty changelogs reproduces the account states', (t) =>
  rebuildCase(t, { JOURNEY_TOPOLOGY: 'single' }));

test('rebuild-state, the journey partitioned by account: route and state groups reset, the resolved topic recreated, the same account states', (t) =>
  rebuildCase(t, { JOURNEY_TOPOLOGY: 'partitioned', TOPIC_PARTITIONS: '2' }));
