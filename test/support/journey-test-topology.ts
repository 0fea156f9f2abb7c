// Test fixture: the journey stage's topology on fixed topic names, canonical schema id 7.
import type { Type } from 'avsc';
import { journeyEventType } from '../../services/shared/kafka/canonical-codec.ts';
import type { JourneyTopology } from '../../services/journey/journey-pipeline.ts';

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
