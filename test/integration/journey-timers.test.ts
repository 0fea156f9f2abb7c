// An account that does nothing still becomes at-risk: with the input idle, the journey stage
// advances time by the wall clock, fires the inactivity timer and writes the transition and the
// churn re-score — no further event needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testKafka, waitFor } from '../support/stack.ts';
import { readTopic } from '../support/topic-reader.ts';
import { runningPipeline } from '../support/running-pipeline.ts';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Producer } from 'kafkajs';
import type { PipelineConfig } from '../../services/shared/config/config.ts';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { startIngestService } from '../../services/ingest/ingest-service.ts';
import { startRouteService } from '../../services/journey/route-service.ts';
import { startStateService } from '../../services/journey/state-service.ts';
import { freshPipeline } from '../support/pipeline.ts';

const DAY = 86_400_000;

/** Signed up and active 40..37 days ago, then nothing: the quiet account's stages once it is at risk. */
async function quietAccountGoesAtRisk(
  config: PipelineConfig,
  clickhouse: ClickHouseClient,
  producer: Producer,
): Promise<void> {
  const start = Date.now() - 40 * DAY;
  const call = (i: number, type: string, fields: object) => {
    const at = new Date(start + i * DAY).toISOString();
    return {
      key: 'quiet-user',
      value: JSON.stringify({
        type,
        messageId: `quiet-${i}-${type}`,
        userId: 'quiet-user',
        groupId: 'quiet-org',
        timestamp: at,
        sentAt: at,
        receivedAt: at,
        context: {},
        ...fields,
      }),
    };
  };
  await producer.send({
    topic: config.TOPIC_BEHAVIOR,
    messages: [
      call(0, 'group', { traits: { name: 'Quiet Org' } }),
      call(0, 'track', { event: 'Signed Up' }),
      ...[0, 1, 2, 3].map((d) => call(d, 'track', { event: 'Logged In' })),
    ],
  });
  const stages = async (): Promise<string[]> =>
    (
      await (
        await clickhouse.query({
          query: 'SELECT to_stage FROM stage_transitions ORDER BY at',
          format: 'JSONEachRow',
        })
      ).json<{ to_stage: string }>()
    ).map((r) => r.to_stage);
  const seen = await waitFor(
    'the inactivity transition',
    async () => ((await stages()).includes('churn-risk') ? stages() : undefined),
    90_000,
  );
  assert.ok(
    seen.includes('activation') && seen.includes('engagement'),
    `stages reached: ${seen.join(' -> ')}`,
  );
  const [row] = await (
    await clickhouse.query({
      query: "SELECT stage, churn_band FROM account_state FINAL WHERE kind = 'account'",
      format: 'JSONEachRow',
    })
  ).json<{ stage: string; churn_band: string }>();
  assert.equal(row?.stage, 'churn-risk');
  assert.notEqual(row?.churn_band, 'healthy', 'inactivity alone raised the churn score');
}

test('idle input, the single writer: the wall-clock tick makes a quiet account at-risk', async (t) => {
  const { config, clickhouse, producer, journeyMetrics } = await runningPipeline(t, {
    JOURNEY_IDLE_TICK_SECONDS: '2',
    JOURNEY_TOPOLOGY: 'single',
  });
  await quietAccountGoesAtRisk(config, clickhouse, producer);
  // Freshness (JourneyOutputsStale): the watermark gauge follows the wall clock minus the lateness.
  const [watermark] = (await journeyMetrics().watermark.get()).values;
  const behindMs = Date.now() - (watermark?.value ?? 0) * 1000;
  assert.ok(behindMs >= 30 * 60_000 && behindMs < 40 * 60_000, `watermark ${behindMs} ms behind`);
});

test('idle input, the journey partitioned by account: each partition ticks, the quiet account goes at-risk', async (t) => {
  const { config } = await freshPipeline({
    JOURNEY_IDLE_TICK_SECONDS: '2',
    JOURNEY_TOPOLOGY: 'partitioned',
    TOPIC_PARTITIONS: '3',
  });
  const log = createLogger('silent');
  const route = await startRouteService(config, log, createMetrics(false));
  t.after(() => route.stop());
  const state = await startStateService(config, log, createMetrics(false));
  t.after(() => state.stop());
  const ingest = await startIngestService(config, log, createMetrics(false));
  t.after(() => ingest.stop());
  const clickhouse = createClickHouse(config);
  t.after(() => clickhouse.close());
  const producer = testKafka().producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  await quietAccountGoesAtRisk(config, clickhouse, producer);
});

test('a quiet account among active ones: re-scored by time alone, one alert per band crossed, with its reasons', async (t) => {
  const { config, producer, ticks } = await runningPipeline(t, { JOURNEY_IDLE_TICK_SECONDS: '2' });
  const now = Date.now();
  const call = (account: string, daysAgo: number, type: string, fields: object) => {
    const at = new Date(now - daysAgo * DAY).toISOString();
    const userId = `${account}-admin`;
    return {
      key: userId,
      value: JSON.stringify({
        type,
        messageId: `${account}-${type}-${daysAgo}`,
        userId,
        groupId: account,
        timestamp: at,
        sentAt: at,
        receivedAt: at,
        context: {},
        ...fields,
      }),
    };
  };
  const messages = [];
  for (const account of ['quiet', 'active']) {
    messages.push(
      call(account, 45, 'group', { traits: { name: account } }),
      call(account, 45, 'track', { event: 'Signed Up' }),
    );
    for (let d = 44; d >= (account === 'quiet' ? 30 : 0); d--)
      messages.push(call(account, d, 'track', { event: 'Logged In' }));
  }
  await producer.send({ topic: config.TOPIC_BEHAVIOR, messages });

  const reader = await readTopic(
    t,
    config.TOPIC_CHURN_ALERTS,
    (v) => JSON.parse(String(v)) as { account: string; band: string; reasons: Array<{ factor: string }> },
  );
  const alerts = reader.items;
  await waitFor('an alert', () => (alerts.length > 0 ? true : undefined), 90_000);
  // Further ticks re-score every account: let two of them (wrongly) alert again, read to the end.
  await ticks(2);
  await waitFor('the alerts topic read to its end', async () =>
    (await reader.readToEnd()) ? true : undefined,
  );
  const accounts = new Set(alerts.map((a) => a.account));
  assert.equal(accounts.size, 1, 'only the quiet account alerts');
  const bands = alerts.map((a) => a.band);
  assert.equal(new Set(bands).size, bands.length, `one alert per band crossed: ${bands.join(', ')}`);
  assert.ok(
    alerts[0]!.reasons.some((r) => ['inactivity', 'champion_inactive', 'usage_decline'].includes(r.factor)),
    JSON.stringify(alerts[0]!.reasons),
  );
});
