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
import { emptyBatchResult } from './journey-outputs.ts';
import type { JourneyOutputs } from './journey-outputs.ts';
import { sweepTimersStep } from './sweep-timers-step.ts';
import { decodeWatermarkMarker, isWatermarkMarker } from '../shared/kafka/watermark-marker.ts';
import { applyMarker, markersSeen } from './input-watermarks.ts';
import { inputProgress, rescoresDue } from './rescore-account.ts';

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

export interface JourneyBatchResult {
  /** Written first: resolved events, identity changes, churn alerts, dead letters. */
  messages: OutboundMessage[];
  /** Written after `messages`: journey-state and identity changelogs. */
  changelog: OutboundMessage[];
  /** Written last, alone: the identity changelog's checkpoint of this batch. */
  checkpoint: OutboundMessage[];
  /** For the store: the sink maps them to rows (services/sink/rows/journey-rows.ts). */
  outputs: JourneyOutputs;
  counts: Map<string, number>;
  effects: IdentityEffect[];
}

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
  const result = emptyBatchResult();
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
    // Every step that can throw for an event without being a state step runs before the event
    // changes any account (the resolved record's encoding); what a throwing state step (resolve,
    // apply, sweep) changed before the exception stays, with its changelog, so the in-memory state
    // and the changelog never disagree.
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
        // The re-scores that waited for the inputs to reach their events (rescore-account.ts), then
        // the timers (the sweep scores as of the watermark, after them).
        const progress = inputProgress(state.accounts);
        rescoresDue(state.accounts, progress, ctx, step);
        if (Number.isFinite(progress))
          state.accounts.watermark = Math.max(state.accounts.watermark, progress - lateness);
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
      const resolved = resolveEventStep(
        decoded.value,
        message.partition,
        state.graph,
        topology,
        identityConfig,
        result,
      );
      if (resolved === null) return;
      const event = resolved.event;
      // The resolved record is encoded before the event touches the account state, so an encoder
      // that throws dead-letters an event that changed no account (an event is stored, or
      // dead-lettered, never both).
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
      result.outputs.events.push(event);
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

/** Resolves one canonical event against the graph: its identity rows, graph changelog and identity
 *  changes go into `result`; null when a deletion tombstone suppresses it (counted). */
export function resolveEventStep(
  decoded: JourneyEvent,
  partition: number,
  graph: IdentityGraph,
  topology: Pick<JourneyTopology, 'identityChangelogTopic' | 'identityChangesTopic'>,
  identityConfig: IdentityConfig,
  result: Pick<JourneyBatchResult, 'messages' | 'changelog' | 'outputs' | 'counts' | 'effects'>,
): { event: JourneyEvent; effects: IdentityEffect[] } | null {
  const resolved = resolve(graph, decoded, decoded.received_time, identityConfig);
  result.outputs.identityMap.push(...resolved.rows.identity_map);
  result.outputs.personOverrides.push(...resolved.rows.person_overrides);
  result.outputs.accounts.push(...resolved.rows.accounts);
  for (const record of resolved.changelog) {
    const { key, value } = encodeChangelogRecord(record);
    result.changelog.push({ topic: topology.identityChangelogTopic, key, value, partition });
  }
  for (const effect of resolved.effects) {
    result.effects.push(effect);
    if (!IDENTITY_CHANGE_KINDS.has(effect.kind)) continue;
    result.messages.push({
      topic: topology.identityChangesTopic,
      key: 'survivor_person_id' in effect ? effect.survivor_person_id : effect.person_id,
      value: JSON.stringify(effect),
    });
    result.outputs.identityChanges.push({ effect, anonymous: false });
  }
  if (resolved.outcome.kind === 'suppressed') {
    const key = `drop:${resolved.outcome.reason}`;
    result.counts.set(key, (result.counts.get(key) ?? 0) + 1);
    return null;
  }
  return { event: resolved.outcome.event, effects: resolved.effects };
}

/** Outputs, alerts and the journey-state changelog of a step's output (events or a timer tick). */
export function emitStateOutputs(
  accounts: AccountStore,
  step: JourneyStepOutput,
  topology: JourneyTopology,
  result: JourneyBatchResult,
  partition: number,
  /** The changelog entries to write (the partitioned journey adds its held keys). */
  flush: () => Array<{ key: string; value: string | null }> = () => flushChangelog(accounts),
): void {
  const outputs = result.outputs;
  for (const effect of step.effects)
    outputs.journeyEffects.push({
      effect,
      state: effect.kind === 'transition' ? accounts.states.get(effect.account_key) : undefined,
    });
  outputs.scores.push(...step.scores);
  outputs.alerts.push(...step.alerts);
  // The MRR the account bore just before it churned (after it, the sum is 0).
  for (const outcome of step.outcomes) {
    const subscriptions = accounts.states.get(outcome.account)?.subscriptionMrr ?? {};
    outputs.outcomes.push({ outcome, mrrBeforeCents: accountMrrAt(subscriptions, outcome.churnedAt, false) });
  }
  for (const alert of step.alerts) {
    result.messages.push({
      topic: topology.churnAlertsTopic,
      key: alert.account,
      value: JSON.stringify(alert),
    });
  }
  const version = Math.max(accounts.watermark, 0);
  for (const key of accounts.dirty) {
    const account = accounts.states.get(key);
    if (account)
      outputs.snapshots.push({
        kind: 'state',
        state: account,
        // As of the state's own latest time (its newest event or daily re-score), not the batch's
        // watermark: the row's windowed counts then do not depend on where the batch ended.
        version: Math.max(version, account.maxEventTime),
        asOf: Math.max(account.maxEventTime, account.churn?.scoredAt ?? 0),
      });
    else {
      // Folded into a survivor or deleted: a newer row marks its last snapshot deleted.
      const floor = accounts.removed.get(key);
      if (floor !== undefined)
        outputs.snapshots.push({ kind: 'deleted', key, version: Math.max(version, floor) + 1 });
    }
  }
  accounts.removed.clear();
  for (const entry of flush()) {
    result.changelog.push({
      topic: topology.journeyChangelogTopic,
      key: entry.key,
      value: entry.value,
      partition,
    });
  }
}
