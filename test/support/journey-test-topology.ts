// Test fixture: the journey stage's topology on fixed topic names, canonical schema id 7.
import type { Type } from 'avsc';
import { journeyEventType } from '../../services/shared/kafka/canonical-codec.ts';
import { processJourneyBatch } from '../../services/journey/journey-pipeline.ts';
import type {
  JourneyBatchResult,
  JourneyStageState,
  JourneyTopology,
} from '../../services/journey/journey-pipeline.ts';
import type { ConsumedMessage } from '../../services/shared/kafka/batch-consumer.ts';
import { DEFAULT_CHURN_CONFIG } from '../../services/churn/churn-config.ts';
import { DEFAULT_IDENTITY_CONFIG } from '../../services/identity/identity-core.ts';
import { T0, b2b } from './journey-test-events.ts';
import type { CommandBatchResult } from '../../services/journey/identity-commands-pipeline.ts';
import { journeyRows } from '../../services/sink/rows/journey-rows.ts';
import type { RowsByTable } from '../../services/sink/rows/journey-rows.ts';
import { withoutErased } from '../../services/sink/erase-person.ts';

export const TEST_SCHEMA_ID = 7;

export const testTopology = (
  resolvedTopic: string | null = null,
  eventType: Type = journeyEventType(),
): JourneyTopology => ({
  resolvedTopic,
  identityChangesTopic: 'identity-changes',
  identityChangelogTopic: 'identity-changelog',
  journeyChangelogTopic: 'journey-changelog',
  churnAlertsTopic: 'churn-alerts',
  dlqTopic: 'dlq',
  eventType,
  eventSchemaId: TEST_SCHEMA_ID,
  sweepIntervalMs: 3_600_000,
});

/** A batch's outputs as the sink writes them: rows per table, without rows of erased persons. */
export function rowsOf(result: JourneyBatchResult | CommandBatchResult): RowsByTable {
  return withoutErased(journeyRows(result.outputs), 'erasures' in result ? result.erasures : []);
}

/** Runs a canonical stream through the single writer's batch pipeline (the b2b map, default churn
 *  and identity settings, sweeps every 6 h of event time), `batchSize` messages per batch. */
export function replayBatches(
  stream: readonly ConsumedMessage[],
  batchSize: number,
  state: JourneyStageState,
  onResult: (result: JourneyBatchResult, topology: JourneyTopology) => void,
): void {
  const topology = { ...testTopology(null, journeyEventType()), sweepIntervalMs: 6 * 3_600_000 };
  for (let i = 0; i < stream.length; i += batchSize) {
    const batch = stream.slice(i, i + batchSize);
    const ctx = { map: b2b, churn: DEFAULT_CHURN_CONFIG };
    onResult(processJourneyBatch(batch, state, topology, DEFAULT_IDENTITY_CONFIG, ctx, T0), topology);
  }
}
