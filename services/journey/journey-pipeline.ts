// The journey stage, top to bottom like the data-flow diagram (house style 1):
//   canonical event -> decode -> resolve identity (graph) -> [journey state + churn] ->
//   rows for ClickHouse + resolved event / identity changes / changelog for Kafka.
// Identity and per-account state live in this one process on purpose: merges fold immediately,
// and no Kafka hop separates co-partitioned work (SPEC §7). The shell (journey-service.ts)
// writes everything this returns, awaited, before committing offsets.
import type { Type } from 'avsc';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { deadLetterMessage } from '../shared/kafka/dead-letter.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import { confluentFrame } from '../ingest/encode-canonical-step.ts';
import { checkpointRecord, encodeChangelogRecord, resolve } from '../identity/identity-core.ts';
import type {
  ChangelogRecord,
  IdentityConfig,
  IdentityEffect,
  IdentityGraph,
} from '../identity/identity-core.ts';
import { decodeCanonicalStep } from './decode-canonical-step.ts';
import { journeyEventRow } from './journey-event-row.ts';

export interface JourneyTopology {
  resolvedTopic: string;
  identityChangesTopic: string;
  identityChangelogTopic: string;
  dlqTopic: string;
  eventType: Type;
  eventSchemaId: number;
}

export interface JourneyStageState {
  graph: IdentityGraph;
}

/** Rows per ClickHouse table, in insertion order. */
export type RowsByTable = Map<string, Array<Record<string, unknown>>>;

export interface JourneyBatchResult {
  /** Written first: resolved events, identity changes, dead letters. */
  messages: OutboundMessage[];
  /** Written after `messages` were acknowledged: state changelog ending with a checkpoint. */
  changelog: OutboundMessage[];
  rows: RowsByTable;
  counts: Map<string, number>;
  effects: IdentityEffect[];
}

function pushRows(rows: RowsByTable, table: string, list: ReadonlyArray<object>): void {
  if (list.length === 0) return;
  const existing = rows.get(table) ?? [];
  for (const row of list) existing.push(row as Record<string, unknown>);
  rows.set(table, existing);
}

function changelogMessage(topic: string, partition: number, record: ChangelogRecord): OutboundMessage {
  const { key, value } = encodeChangelogRecord(record);
  return { topic, key, value, partition };
}

export function resolvedKey(event: JourneyEvent): string {
  return event.account_id ?? event.person_id ?? event.event_id;
}

export function processJourneyBatch(
  messages: readonly ConsumedMessage[],
  state: JourneyStageState,
  topology: JourneyTopology,
  identityConfig: IdentityConfig,
  nowMs: number,
): JourneyBatchResult {
  const result: JourneyBatchResult = {
    messages: [],
    changelog: [],
    rows: new Map(),
    counts: new Map(),
    effects: [],
  };
  const count = (key: string): void => void result.counts.set(key, (result.counts.get(key) ?? 0) + 1);
  const first = messages[0];
  if (!first) return result;
  const checkpoint = state.graph.checkpoints.get(first.partition);

  for (const message of messages) {
    // Already applied before a crash (the checkpoint is written after the outputs): skip.
    if (checkpoint !== undefined && BigInt(message.offset) <= BigInt(checkpoint)) {
      count('drop:already_processed');
      continue;
    }
    const decoded = decodeCanonicalStep(message.value, topology.eventType);
    if (decoded.kind !== 'ok') {
      if (decoded.kind === 'dlq') {
        result.messages.push(
          deadLetterMessage(
            topology.dlqTopic,
            message,
            { reason: decoded.reason, detail: decoded.detail, step: 'decodeCanonicalStep' },
            nowMs,
          ),
        );
        count(`dlq:${decoded.reason}`);
      }
      continue;
    }
    const resolved = resolve(state.graph, decoded.value, decoded.value.received_time, identityConfig);
    pushRows(result.rows, 'identity_map', resolved.rows.identity_map);
    pushRows(result.rows, 'person_overrides', resolved.rows.person_overrides);
    pushRows(result.rows, 'accounts', resolved.rows.accounts);
    for (const record of resolved.changelog) {
      result.changelog.push(changelogMessage(topology.identityChangelogTopic, message.partition, record));
    }
    for (const effect of resolved.effects) {
      result.effects.push(effect);
      if (
        effect.kind === 'merge' ||
        effect.kind === 'refused_merge' ||
        effect.kind === 'refused_link' ||
        effect.kind === 'split' ||
        effect.kind === 'deletion'
      ) {
        result.messages.push({
          topic: topology.identityChangesTopic,
          key: 'survivor_person_id' in effect ? effect.survivor_person_id : effect.person_id,
          value: JSON.stringify(effect),
        });
      }
    }
    if (resolved.outcome.kind === 'suppressed') {
      count(`drop:${resolved.outcome.reason}`);
      continue;
    }
    const event = resolved.outcome.event;
    pushRows(result.rows, 'journey_events', [journeyEventRow(event)]);
    result.messages.push({
      topic: topology.resolvedTopic,
      key: resolvedKey(event),
      value: confluentFrame(topology.eventSchemaId, topology.eventType.toBuffer(event)),
      ...(message.headers.produced_at ? { headers: { produced_at: message.headers.produced_at } } : {}),
    });
    count('ok');
  }
  const last = messages[messages.length - 1]!;
  const done = checkpointRecord(last.partition, last.offset);
  state.graph.checkpoints.set(last.partition, last.offset);
  result.changelog.push(changelogMessage(topology.identityChangelogTopic, last.partition, done));
  return result;
}
