// The journey stage, top to bottom like the data-flow diagram (house style 1):
//   canonical event -> decode -> resolve identity (graph) -> apply to journey state (+ merges,
//   churn re-score) -> sweep timers (each completed interval of event time) -> rows for ClickHouse, resolved events,
//   identity changes, churn alerts, then the state changelogs ending with the checkpoint.
// Identity and per-account state live in this one process on purpose: merges fold immediately,
// and no Kafka hop separates co-partitioned work (SPEC §7). The shell (journey-service.ts)
// writes everything this returns, awaited, before committing offsets.
import { accountMrrAt } from './account-mrr.ts';
import type { Type } from 'avsc';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { internalError } from '../shared/bulkhead.ts';
import { deadLetterMessage } from '../shared/kafka/dead-letter.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import { encodeFramed } from '../shared/kafka/canonical-codec.ts';
import { checkpointRecord, encodeChangelogRecord, resolve } from '../identity/identity-core.ts';
import type { IdentityConfig, IdentityEffect, IdentityGraph } from '../identity/identity-core.ts';
import { flushChangelog } from './account-store.ts';
import type { AccountStore } from './account-store.ts';
import { applyJourneyStep, emptyStepOutput } from './apply-journey-step.ts';
import type { JourneyContext, JourneyStepOutput } from './apply-journey-step.ts';
import { decodeCanonicalStep } from './decode-canonical-step.ts';
import type { CanonicalWriters } from './learn-canonical-writers.ts';
import { journeyEventRow } from '../sink/rows/event-rows.ts';
import { identityChangeRow } from '../sink/rows/identity-rows.ts';
import { churnAlertRow, churnOutcomeRow, churnScoreRow } from '../sink/rows/churn-rows.ts';
import {
  accountStateDeletedRow,
  accountStateRow,
  journeySignalRow,
  stageTransitionRow,
} from '../sink/rows/journey-state-rows.ts';
import { sweepTimersStep } from './sweep-timers-step.ts';
import { decodeWatermarkMarker, isWatermarkMarker } from '../shared/kafka/watermark-marker.ts';
import { applyMarker, inputWatermark, markersSeen } from './input-watermarks.ts';

export interface JourneyTopology {
  /** null: no resolved-event output (JOURNEY_RESOLVED_OUTPUT=off). */
  resolvedTopic: string | null;
  identityChangesTopic: string;
  identityChangelogTopic: string;
  journeyChangelogTopic: string;
  churnAlertsTopic: string;
  dlqTopic: string;
  eventType: Type;
  eventSchemaId: number;
  sweepIntervalMs: number;
  /** Writer schemas of the canonical frames other than ours, learned by the shell before each
   *  batch (learn-canonical-writers.ts); absent: every frame is read with `eventType`. */
  canonicalWriters?: CanonicalWriters;
}

export interface JourneyStageState {
  graph: IdentityGraph;
  accounts: AccountStore;
}

/** Rows per ClickHouse table, in insertion order. */
export type RowsByTable = Map<string, object[]>;

export interface JourneyBatchResult {
  /** Written first: resolved events, identity changes, churn alerts, dead letters. */
  messages: OutboundMessage[];
  /** Written after `messages`: journey-state and identity changelogs. */
  changelog: OutboundMessage[];
  /** Written last, alone: the identity changelog's checkpoint of this batch. */
  checkpoint: OutboundMessage[];
  rows: RowsByTable;
  counts: Map<string, number>;
  effects: IdentityEffect[];
}

function pushRows(rows: RowsByTable, table: string, list: ReadonlyArray<object>): void {
  if (list.length === 0) return;
  const existing = rows.get(table) ?? [];
  existing.push(...list);
  rows.set(table, existing);
}

/** Written (concurrently) before every other table of the batch: a reader never sees an event
 * whose re-attribution is still on its way. */
export const IDENTITY_TABLES: ReadonlySet<string> = new Set([
  'identity_map',
  'person_overrides',
  'accounts',
  'identity_changes',
]);

export function resolvedKey(event: JourneyEvent): string {
  return event.account_id ?? event.person_id ?? event.event_id;
}

const IDENTITY_CHANGE_KINDS = new Set(['merge', 'refused_merge', 'refused_link', 'split', 'deletion']);

export function processJourneyBatch(
  messages: readonly ConsumedMessage[],
  state: JourneyStageState,
  topology: JourneyTopology,
  identityConfig: IdentityConfig,
  ctx: JourneyContext,
  nowMs: number,
): JourneyBatchResult {
  const rows: RowsByTable = new Map([...IDENTITY_TABLES, 'journey_events'].map((t) => [t, []]));
  const result: JourneyBatchResult = {
    messages: [],
    changelog: [],
    checkpoint: [],
    rows,
    counts: new Map(),
    effects: [],
  };
  const count = (key: string): void => void result.counts.set(key, (result.counts.get(key) ?? 0) + 1);
  const first = messages[0];
  if (!first) return result;
  const checkpoint = state.graph.checkpoints.get(first.partition);
  const step = emptyStepOutput();
  const lateness = ctx.map.lateness_minutes * 60_000;

  for (const message of messages) {
    // Already applied before a crash (the checkpoint is written after every output): skip.
    if (checkpoint !== undefined && BigInt(message.offset) <= BigInt(checkpoint)) {
      count('drop:already_processed');
      continue;
    }
    // The bulkhead: an exception raised by one event (a defect, never an infrastructure fault —
    // nothing here does I/O) dead-letters that event with reason internal_error; the batch goes on.
    // What the event changed before the exception stays, with its changelog, so the in-memory
    // state and the changelog never disagree.
    const processOne = (): void => {
      if (isWatermarkMarker(message.headers)) {
        // A raw partition's progress (input-watermarks.ts): it moves the watermark, and the timers
        // due by then fire here, at the same place in the stream however it was batched.
        const marker = decodeWatermarkMarker(message.value);
        if (marker === null) {
          count('drop:unreadable_marker');
          return;
        }
        applyMarker(state.accounts.inputs, message.partition, marker);
        state.accounts.inputsDirty.add(message.partition);
        const { inputs, inputPartitions } = state.accounts;
        const at = inputWatermark(inputs, inputPartitions, lateness);
        if (at !== null) state.accounts.watermark = Math.max(state.accounts.watermark, at);
        sweepTimersStep(state.accounts, ctx, topology.sweepIntervalMs, step);
        count('marker');
        return;
      }
      const decoded = decodeCanonicalStep(message.value, topology.eventType, topology.canonicalWriters);
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
        return;
      }
      const resolved = resolve(state.graph, decoded.value, decoded.value.received_time, identityConfig);
      pushRows(result.rows, 'identity_map', resolved.rows.identity_map);
      pushRows(result.rows, 'person_overrides', resolved.rows.person_overrides);
      pushRows(result.rows, 'accounts', resolved.rows.accounts);
      for (const record of resolved.changelog) {
        const { key, value } = encodeChangelogRecord(record);
        result.changelog.push({
          topic: topology.identityChangelogTopic,
          key,
          value,
          partition: message.partition,
        });
      }
      for (const effect of resolved.effects) {
        result.effects.push(effect);
        if (!IDENTITY_CHANGE_KINDS.has(effect.kind)) continue;
        result.messages.push({
          topic: topology.identityChangesTopic,
          key: 'survivor_person_id' in effect ? effect.survivor_person_id : effect.person_id,
          value: JSON.stringify(effect),
        });
        const change = identityChangeRow(effect);
        if (change) pushRows(result.rows, 'identity_changes', [change]);
      }
      if (resolved.outcome.kind === 'suppressed') {
        count(`drop:${resolved.outcome.reason}`);
        return;
      }
      const event = resolved.outcome.event;
      // Behind what was already declared final: what it would have changed stays announced.
      if (event.event_time < state.accounts.watermark) count('late:behind_watermark');
      applyJourneyStep(state.accounts, event, resolved.effects, ctx, step);
      // Without markers (a canonical stream the ingest did not write), the greatest event time read.
      if (!markersSeen(state.accounts.inputs))
        state.accounts.watermark = Math.max(state.accounts.watermark, event.event_time - lateness);
      // Timers are swept at the event whose watermark completes a sweep interval, not at the end of
      // a batch: the sweeps (and what they announce) then depend only on the order of the canonical
      // events, never on how the consumer happened to batch them — a rebalanced or restarted run
      // ends in the same state as a single uninterrupted one.
      sweepTimersStep(state.accounts, ctx, topology.sweepIntervalMs, step);
      // Both outputs of the event are built before either is kept: an event is stored, or
      // dead-lettered, never both.
      const row = journeyEventRow(event);
      const resolvedOut: OutboundMessage | null =
        topology.resolvedTopic === null
          ? null
          : {
              topic: topology.resolvedTopic,
              key: resolvedKey(event),
              value: encodeFramed(topology.eventType, topology.eventSchemaId, event),
              ...(message.headers.produced_at
                ? { headers: { produced_at: message.headers.produced_at } }
                : {}),
            };
      pushRows(result.rows, 'journey_events', [row]);
      if (resolvedOut) result.messages.push(resolvedOut);
      count('ok');
    };
    try {
      processOne();
    } catch (err) {
      result.messages.push(
        deadLetterMessage(
          topology.dlqTopic,
          message,
          { ...internalError(err), step: 'processJourneyBatch' },
          nowMs,
        ),
      );
      count('dlq:internal_error');
    }
  }
  const last = messages[messages.length - 1]!;
  emitStateOutputs(state.accounts, step, topology, result, last.partition);
  const done = encodeChangelogRecord(checkpointRecord(last.partition, last.offset));
  state.graph.checkpoints.set(last.partition, last.offset);
  result.checkpoint.push({
    topic: topology.identityChangelogTopic,
    key: done.key,
    value: done.value,
    partition: last.partition,
  });
  return result;
}

/** Rows, alerts and the journey-state changelog of a step's output (events or a timer tick). */
export function emitStateOutputs(
  accounts: AccountStore,
  step: JourneyStepOutput,
  topology: JourneyTopology,
  result: JourneyBatchResult,
  partition: number,
): void {
  for (const effect of step.effects) {
    if (effect.kind === 'transition')
      pushRows(result.rows, 'stage_transitions', [
        stageTransitionRow(effect, accounts.states.get(effect.account_key)),
      ]);
    else pushRows(result.rows, 'journey_signals', [journeySignalRow(effect)]);
  }
  pushRows(result.rows, 'churn_scores', step.scores.map(churnScoreRow));
  pushRows(result.rows, 'churn_alerts', step.alerts.map(churnAlertRow));
  pushRows(
    result.rows,
    'churn_outcomes',
    // The MRR the account bore just before it churned (after it, the sum is 0).
    step.outcomes.map((o) => {
      const subscriptions = accounts.states.get(o.account)?.subscriptionMrr ?? {};
      return churnOutcomeRow(o, accountMrrAt(subscriptions, o.churnedAt, false));
    }),
  );
  for (const alert of step.alerts) {
    result.messages.push({
      topic: topology.churnAlertsTopic,
      key: alert.account,
      value: JSON.stringify(alert),
    });
  }
  const version = Math.max(accounts.watermark, 0);
  const snapshots: object[] = [];
  for (const key of accounts.dirty) {
    const account = accounts.states.get(key);
    if (account)
      snapshots.push(
        // As of the state's own latest time (its newest event or daily re-score), not the batch's
        // watermark: the row's windowed counts then do not depend on where the batch ended.
        accountStateRow(
          account,
          Math.max(version, account.maxEventTime),
          Math.max(account.maxEventTime, account.churn?.scoredAt ?? 0),
        ),
      );
    else {
      // Folded into a survivor or deleted: a newer row marks its last snapshot deleted.
      const floor = accounts.removed.get(key);
      if (floor !== undefined) snapshots.push(accountStateDeletedRow(key, Math.max(version, floor) + 1));
    }
  }
  accounts.removed.clear();
  pushRows(result.rows, 'account_state', snapshots);
  for (const entry of flushChangelog(accounts)) {
    result.changelog.push({
      topic: topology.journeyChangelogTopic,
      key: entry.key,
      value: entry.value,
      partition,
    });
  }
}
