// The operations dashboard: throughput, lag, freshness, dead letters, identity merges, ClickHouse
// inserts and process health from the services' /metrics (services/shared/telemetry/metrics.ts).
import { dashboard, datasourceVariable, promPanel } from './grafana-model.ts';
import type { Panel } from './grafana-model.ts';

export function operationsDashboard(): object {
  const rate = (metric: string, by: string): string => `sum by (${by}) (rate(${metric}[$__rate_interval]))`;
  const quantile = (q: number, metric: string, by: string): string =>
    `histogram_quantile(${q}, sum by (le, ${by}) (rate(${metric}_bucket[$__rate_interval])))`;
  const panels: Panel[] = [
    promPanel('Throughput by stage and result', 'Records per second (ok, dlq, drop, duplicate).', 'ops', [
      [rate('journey_records_total', 'stage, result'), '{{stage}} {{result}}'],
    ]),
    promPanel(
      'Consumer lag',
      "Messages behind the partition's end at the broker (end offset minus the group's committed offset), per group and topic.",
      'short',
      [['sum by (group, topic) (journey_consumer_lag)', '{{group}} {{topic}}']],
    ),
    promPanel(
      'Freshness: event time behind the clock',
      "Now minus the journey's event-time watermark (the map's lateness included): how old the newest final stages, scores and alerts are. JourneyOutputsStale fires over 2 h.",
      's',
      [['time() - max(journey_watermark_seconds)', 'journey watermark']],
    ),
    promPanel(
      'Churn re-scores waiting for the inputs',
      "Accounts whose churn re-score (a billing, ticket or survey event's) waits for every raw partition to reach the event's time. Near zero in real time; it stays up, with those accounts' alerts, while a raw partition is held up (read with Freshness above).",
      'short',
      [['sum(journey_churn_rescores_waiting)', 'waiting']],
    ),
    promPanel(
      'Keys waiting for a handover (partitioned)',
      "Accounts and persons whose records are held until another key's state comes through the resolved topic (JOURNEY_TOPOLOGY=partitioned). Near zero; one that stays up is a handover that does not come, and that key's state stands still.",
      'short',
      [['sum(journey_handovers_waiting)', 'waiting']],
    ),
    promPanel('Dead letters by reason', 'Messages sent to the DLQ per second, by reason and step.', 'ops', [
      [rate('journey_dlq_messages_total', 'reason, step'), '{{step}}: {{reason}}'],
    ]),
    promPanel(
      'Identity merges and refused merges',
      'Merges by reason, and links refused by the safety rules.',
      'ops',
      [
        [rate('journey_identity_merges_total', 'reason'), 'merged: {{reason}}'],
        [rate('journey_identity_refused_merges_total', 'reason'), 'refused: {{reason}}'],
      ],
    ),
    promPanel('ClickHouse insert latency', 'Per table, retries included.', 's', [
      [quantile(0.5, 'journey_clickhouse_insert_duration_seconds', 'table'), 'p50 {{table}}'],
      [quantile(0.99, 'journey_clickhouse_insert_duration_seconds', 'table'), 'p99 {{table}}'],
    ]),
    promPanel('ClickHouse rows inserted', 'Rows acknowledged per second, per table.', 'rowsps', [
      [rate('journey_clickhouse_inserted_rows_total', 'table'), '{{table}}'],
    ]),
    promPanel('Batch duration', 'One batch end to end: outputs acknowledged and offsets committed.', 's', [
      [quantile(0.5, 'journey_batch_duration_seconds', 'stage'), 'p50 {{stage}}'],
      [quantile(0.99, 'journey_batch_duration_seconds', 'stage'), 'p99 {{stage}}'],
    ]),
    promPanel('Rebalances', 'Consumer group rebalances per second.', 'ops', [
      [rate('journey_consumer_rebalances_total', 'group'), '{{group}}'],
    ]),
    promPanel('Accounts per churn band', 'After the last batch.', 'short', [
      ['sum by (band) (journey_churn_accounts)', '{{band}}'],
    ]),
    promPanel(
      'Churn alerts and stage transitions',
      'Alerts fired by band entered; transitions by stage entered.',
      'ops',
      [
        [rate('journey_churn_alerts_total', 'band'), 'alert: {{band}}'],
        [rate('journey_stage_transitions_total', 'to_stage'), 'entered: {{to_stage}}'],
      ],
    ),
    promPanel(
      'Collector: requests and rejections',
      'HTTP requests per second by source and status; rejected requests by reason (signature, size, rate, schema).',
      'reqps',
      [
        [rate('journey_collector_requests_total', 'source, status'), '{{source}} {{status}}'],
        [rate('journey_collector_rejections_total', 'source, reason'), 'rejected {{source}}: {{reason}}'],
      ],
    ),
    promPanel(
      'Collector: events accepted and latency',
      'Events produced per second by source; p99 request time.',
      'short',
      [
        [rate('journey_collector_events_total', 'source'), 'events {{source}}'],
        [quantile(0.99, 'journey_collector_request_duration_seconds', 'source'), 'p99 s {{source}}'],
      ],
    ),
    promPanel(
      'Blocked partitions and lost offsets',
      'Partitions held by a message that cannot be processed yet (by reason), and partitions whose committed offset the broker no longer has (docs/operations.md).',
      'short',
      [
        [
          'sum by (group, topic, reason) (journey_consumer_partition_blocked)',
          'blocked {{group}} {{topic}}: {{reason}}',
        ],
        ['sum by (group, topic) (journey_consumer_offsets_lost)', 'offsets lost {{group}} {{topic}}'],
      ],
    ),
    promPanel(
      'Junk identifiers and unreadable state',
      'Junk identifier values removed from events, per stage; account states on the changelog in an older format, dropped on restore (rebuilt from later events).',
      'ops',
      [
        [rate('journey_junk_identifiers_total', 'stage'), 'junk ids {{stage}}'],
        ['sum(rate(journey_state_unreadable_total[$__rate_interval]))', 'unreadable state'],
      ],
    ),
    promPanel('CPU', 'CPU seconds per second per process.', 'percentunit', [
      ['sum by (instance) (rate(journey_process_cpu_seconds_total[$__rate_interval]))', '{{instance}}'],
    ]),
    promPanel('Event-loop lag', 'p99 event-loop delay per process.', 's', [
      ['max by (instance) (journey_nodejs_eventloop_lag_p99_seconds)', '{{instance}}'],
    ]),
    promPanel('Memory', 'Resident memory and heap used per process.', 'bytes', [
      ['max by (instance) (journey_process_resident_memory_bytes)', 'rss {{instance}}'],
      ['sum by (instance) (journey_nodejs_heap_size_used_bytes)', 'heap {{instance}}'],
    ]),
  ];
  return dashboard(
    'journey-operations',
    'Journey pipeline operations',
    'Throughput, consumer lag, dead letters, identity merges, ClickHouse insert latency and process health from the services’ /metrics (services/shared/telemetry/metrics.ts). Alerts: deploy/prometheus/churn-alerts.rules.yml.',
    panels,
    [datasourceVariable('prometheus')],
    { from: 'now-6h', to: 'now' },
  );
}
