// The sink's public surface: schema migrations, the idempotent batch writer and its error classes,
// the typed rows of every table with their pure mappers, and the metric query registry.
export { migrate, loadMigrations, renderMigration, MAX_RETENTION_DAYS } from './migrate.ts';
export type { Migration, MigrationOptions } from './migrate.ts';
export { writeBatch, writeRows, dedupToken, backoffMs } from './write-rows.ts';
export type { BatchOrigin, WriteBatchOptions, WriteOptions } from './write-rows.ts';
export {
  ClickHouseRejectedError,
  ClickHouseUnavailableError,
  RETRYABLE_CODES,
  classifyClickHouseError,
  clickHouseErrorCode,
} from './clickhouse-errors.ts';
export type { ClickHouseFault } from './clickhouse-errors.ts';
export { journeyEventRow, dlqRow } from './rows/event-rows.ts';
export type { JourneyEventRow, DlqRow } from './rows/event-rows.ts';
export { identityChangeRow } from './rows/identity-rows.ts';
export type {
  AccountRow,
  IdentityMapRow,
  IdentityMergeRow,
  IdentityOverrideRow,
} from './rows/identity-rows.ts';
export {
  accountStateRow,
  cohortWeekOf,
  journeySignalRow,
  stageTransitionRow,
} from './rows/journey-state-rows.ts';
export type { AccountStateRow, JourneySignalRow, StageTransitionRow } from './rows/journey-state-rows.ts';
export { churnAlertRow, churnOutcomeRow, churnScoreRow } from './rows/churn-rows.ts';
export type { ChurnAlertRow, ChurnOutcomeRow, ChurnScoreRow } from './rows/churn-rows.ts';
export {
  CUTS,
  bindMetricParams,
  loadMetricQueries,
  metricQueries,
  runMetricQuery,
} from './metric-queries.ts';
export type { Cut, MetricParam, MetricParamValue, MetricQuery } from './metric-queries.ts';
