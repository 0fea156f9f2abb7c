// Test fixture: the journey stage's topology on fixed topic names, canonical schema id 7.
import type { Type } from 'avsc';
import { journeyEventType } from '../../services/shared/kafka/canonical-codec.ts';
import type { JourneyBatchResult, JourneyTopology } from '../../services/journey/journey-pipeline.ts';
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
