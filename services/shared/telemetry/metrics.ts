// prom-client metrics shared by every stage: names follow Prometheus conventions (snake_case,
// units as suffixes) and labels reuse step and reason names unchanged (house style 14).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface PipelineMetrics {
  registry: Registry;
  records: Counter<'stage' | 'result' | 'reason'>;
  dlqMessages: Counter<'reason' | 'step'>;
  junkIdentifiers: Counter<'stage'>;
  batchDuration: Histogram<'stage'>;
  consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  rebalances: Counter<'group'>;
  partitionBlocked: Gauge<'group' | 'topic' | 'partition' | 'reason'>;
  offsetsLost: Gauge<'group' | 'topic' | 'partition'>;
  clickhouseInsertDuration: Histogram<'table'>;
  clickhouseInsertRows: Counter<'table'>;
  refusedMerges: Counter<'reason'>;
  identityMerges: Counter<'reason'>;
  churnAccounts: Gauge<'band'>;
  churnAlerts: Counter<'band'>;
  stageTransitions: Counter<'to_stage'>;
  watermark: Gauge;
  rescoresWaiting: Gauge;
  handoversWaiting: Gauge;
  unreadableStates: Counter;
}

export function createMetrics(collectDefaults = true): PipelineMetrics {
  const registry = new Registry();
  if (collectDefaults) collectDefaultMetrics({ register: registry, prefix: 'journey_' });
  const registers = [registry];
  return {
    registry,
    records: new Counter({
      name: 'journey_records_total',
      help: 'Records processed, by stage, result (ok, dlq, drop, duplicate) and reason.',
      labelNames: ['stage', 'result', 'reason'],
      registers,
    }),
    dlqMessages: new Counter({
      name: 'journey_dlq_messages_total',
      help: 'Messages written to the dead-letter topic, by reason and step.',
      labelNames: ['reason', 'step'],
      registers,
    }),
    junkIdentifiers: new Counter({
      name: 'journey_junk_identifiers_total',
      help: 'Junk identifier values removed from events.',
      labelNames: ['stage'],
      registers,
    }),
    batchDuration: new Histogram({
      name: 'journey_batch_duration_seconds',
      help: 'Time to process one batch, outputs acknowledged and offsets committed.',
      labelNames: ['stage'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'journey_consumer_lag',
      help: 'Messages behind the partition high watermark, per partition, after the last batch.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    }),
    rebalances: new Counter({
      name: 'journey_consumer_rebalances_total',
      help: 'Consumer group rebalances seen.',
      labelNames: ['group'],
      registers,
    }),
    partitionBlocked: new Gauge({
      name: 'journey_consumer_partition_blocked',
      help: 'Partitions that cannot make progress (1), by reason: batch_failing (retrying) or offsets_lost (stopped until an operator decides).',
      labelNames: ['group', 'topic', 'partition', 'reason'],
      registers,
    }),
    offsetsLost: new Gauge({
      name: 'journey_consumer_offsets_lost',
      help: 'Messages deleted by the broker (retention) before the group consumed them: the partition is stopped, never reset silently.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    }),
    clickhouseInsertDuration: new Histogram({
      name: 'journey_clickhouse_insert_duration_seconds',
      help: 'ClickHouse insert latency per table, retries included.',
      labelNames: ['table'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    clickhouseInsertRows: new Counter({
      name: 'journey_clickhouse_inserted_rows_total',
      help: 'Rows acknowledged by ClickHouse per table.',
      labelNames: ['table'],
      registers,
    }),
    refusedMerges: new Counter({
      name: 'journey_identity_refused_merges_total',
      help: 'Identity merges or links refused by the safety rules, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    identityMerges: new Counter({
      name: 'journey_identity_merges_total',
      help: 'Persons merged, by reason (identify, alias, shared_identifier, force_merge, split).',
      labelNames: ['reason'],
      registers,
    }),
    churnAccounts: new Gauge({
      name: 'journey_churn_accounts',
      help: 'Accounts per churn band (healthy, watch, at_risk), after the last batch.',
      labelNames: ['band'],
      registers,
    }),
    churnAlerts: new Counter({
      name: 'journey_churn_alerts_total',
      help: 'Churn alerts fired, by band entered.',
      labelNames: ['band'],
      registers,
    }),
    stageTransitions: new Counter({
      name: 'journey_stage_transitions_total',
      help: 'Journey stage transitions, by stage entered.',
      labelNames: ['to_stage'],
      registers,
    }),
    watermark: new Gauge({
      name: 'journey_watermark_seconds',
      help: "The journey's event-time watermark (unix seconds): events up to it are final, stages and timers announced. time() minus it is how fresh the stage's outputs are (the map's lateness included); it stands still while a raw partition is held up or the stage is stuck.",
      registers,
    }),
    rescoresWaiting: new Gauge({
      name: 'journey_churn_rescores_waiting',
      help: "Accounts whose churn re-score (a billing, ticket or survey event's) waits for every raw partition to reach the event's time, after the last batch. In real time it empties at each ingest round; it stays up while a raw partition is held up, and those accounts' alerts wait with it.",
      registers,
    }),
    handoversWaiting: new Gauge({
      name: 'journey_handovers_waiting',
      help: "JOURNEY_TOPOLOGY=partitioned: handovers this instance's resolved partitions await, after the last batch: keys (accounts, persons) waiting for another key's state (a HANDOVER, docs/architecture.md), and handovers come before the record that expects them. A waiting key's records since are held: in journey_events already, in their state only once the handover comes. A handover is one round trip through the resolved topic, so this is near zero but for a batch or two; one that stays up is a handover that does not come.",
      registers,
    }),
    unreadableStates: new Counter({
      name: 'journey_state_unreadable_total',
      help: 'Account states on the changelog in an older format, dropped on restore (rebuilt from later events).',
      registers,
    }),
  };
}

/** A batch's counts ("result" or "result:reason" -> records) onto `stage`'s records counter. */
export function countRecords(
  metrics: PipelineMetrics,
  stage: string,
  counts: ReadonlyMap<string, number>,
): void {
  for (const [key, n] of counts) {
    const [result = key, reason = ''] = key.split(':');
    metrics.records.inc({ stage, result, reason }, n);
  }
}
