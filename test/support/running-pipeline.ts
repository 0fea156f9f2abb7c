// A whole pipeline running in the test process on fresh topics and a fresh database: the ingest
// and journey stages, a ClickHouse client and a producer, all stopped when the test ends.
import type { TestContext } from 'node:test';
import type { Producer } from 'kafkajs';
import type { ClickHouseClient } from '@clickhouse/client';
import type { PipelineConfig } from '../../services/shared/config/config.ts';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { startIngestService } from '../../services/ingest/ingest-service.ts';
import { startJourneyService } from '../../services/journey/journey-service.ts';
import type { JourneyService } from '../../services/journey/journey-service.ts';
import { testKafka } from './stack.ts';
import { freshPipeline } from './pipeline.ts';

export interface RunningPipeline {
  config: PipelineConfig;
  clickhouse: ClickHouseClient;
  producer: Producer;
  journey(): JourneyService;
  /** Stops the journey stage and starts a new instance (state restored from the changelogs). */
  restartJourney(): Promise<JourneyService>;
}

export async function runningPipeline(
  t: TestContext,
  overrides: Record<string, string> = {},
  /** A configuration from freshPipeline already in use (its topics hold input): run on it. */
  prepared?: PipelineConfig,
): Promise<RunningPipeline> {
  const config = prepared ?? (await freshPipeline(overrides)).config;
  const log = createLogger('silent');
  let journey = await startJourneyService(config, log, createMetrics(false));
  t.after(() => journey.stop());
  const ingest = await startIngestService(config, log, createMetrics(false));
  t.after(() => ingest.stop());
  const clickhouse = createClickHouse(config);
  t.after(() => clickhouse.close());
  const producer = testKafka().producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  return {
    config,
    clickhouse,
    producer,
    journey: () => journey,
    restartJourney: async () => {
      await journey.stop();
      journey = await startJourneyService(config, log, createMetrics(false));
      return journey;
    },
  };
}
