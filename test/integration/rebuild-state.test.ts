// `journey rebuild-state` rebuilds the journey state from the input, as docs/operations.md
// ("Rebuilding state") describes: it refuses without --yes and while a journey replica is in the
// group; with the stage stopped it empties both changelogs and moves the group back to the start of
// the canonical topic. The restarted stage then has no state to restore and replays every event —
// into a fresh ClickHouse database here, so nothing written before the rebuild can stand in for
// what the replay produced — and its account states equal those before the rebuild.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClickHouseClient } from '@clickhouse/client';
import { COMMANDS } from '../../services/cli/commands/index.ts';
import { parseCommand } from '../../services/cli/command-spec.ts';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import type { PipelineConfig } from '../../services/shared/config/config.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { startJourneyService } from '../../services/journey/journey-service.ts';
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

test('rebuild-state: refuses unless safe, then a replay from empty changelogs reproduces the account states', async (t) => {
  const p = await runningPipeline(t, { JOURNEY_IDLE_TICK_SECONDS: '0' });
  const { config } = p;
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
  assert.ok(Number((await highWatermarks(config.TOPIC_JOURNEY_CHANGELOG))[0]) > 0, 'state was checkpointed');

  // Without --yes: nothing happens. With the stage running: refused, nothing happens.
  assert.equal(await runCommand(config, []), 2);
  assert.equal(await runCommand(config, ['--yes']), 1);
  assert.ok(Number((await highWatermarks(config.TOPIC_JOURNEY_CHANGELOG))[0]) > 0, 'changelog untouched');
  assert.ok(await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_CANONICAL]), 'offsets untouched');

  await p.journey().stop();
  assert.equal(await runCommand(config, ['--yes']), 0);
  for (const topic of [config.TOPIC_IDENTITY_CHANGELOG, config.TOPIC_JOURNEY_CHANGELOG])
    assert.deepEqual(await highWatermarks(topic), ['0'], `${topic} recreated empty`);
  assert.equal(
    await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_CANONICAL]),
    false,
    'group moved back',
  );

  // The rebuilt stage writes into a fresh database: its account states come from the replay alone.
  const rebuilt: PipelineConfig = { ...config, CLICKHOUSE_DATABASE: uniqueName('rebuilt') };
  await migrate(client, {
    database: rebuilt.CLICKHOUSE_DATABASE,
    retentionDays: config.CLICKHOUSE_RETENTION_DAYS,
  });
  const journey = await startJourneyService(rebuilt, createLogger('silent'), createMetrics(false));
  t.after(() => journey.stop());
  await waitFor(
    'the replay of the canonical topic',
    async () => ((await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_CANONICAL])) ? true : undefined),
    180_000,
    250,
  );
  const after = await accountStates(client, rebuilt.CLICKHOUSE_DATABASE);
  assert.deepEqual(after, before);
});
