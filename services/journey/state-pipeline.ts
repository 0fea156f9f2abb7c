// The state step of the partitioned journey (docs/architecture.md, step 5), top to bottom:
//   resolved record -> decode -> event | marker | move | expect | handover into the partition's
//   keyed states (keyed-partition.ts) -> stage effects, scores, alerts, outcomes, snapshots, the
//   handovers to send -> the partition's changelog, ending with its checkpoint.
// Pure: the shell writes what this returns, the ClickHouse rows gating the commit, as the
// single-writer journey does (journey-pipeline.ts), per resolved partition.
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { internalError } from '../shared/bulkhead.ts';
import { deadLetterMessage } from '../shared/kafka/dead-letter.ts';
import { emptyStepOutput } from './apply-journey-step.ts';
import type { JourneyContext } from './apply-journey-step.ts';
import { emptyBatchResult } from './journey-outputs.ts';
import { emitStateOutputs } from './journey-pipeline.ts';
import type { JourneyBatchResult, JourneyTopology } from './journey-pipeline.ts';
import { applyResolvedRecord, tickPartition } from './keyed-partition.ts';
import type { KeyedPartition } from './keyed-partition.ts';
import { CHECKPOINT_KEY, flushKeyedChangelog } from './keyed-partition-changelog.ts';
import { decodeResolvedRecord, encodeResolvedRecord } from './resolved-record-codec.ts';
import type { ResolvedCodec } from './resolved-record-codec.ts';
import type { PersonErasure } from '../identity/person-erasure.ts';

export interface StateTopology extends JourneyTopology {
  resolved: ResolvedCodec;
}

export interface StateBatchResult extends JourneyBatchResult {
  /** Deletions met in the batch: the shell erases them before the commit, and leaves the batch's
   *  rows that name them out (erase-person.ts withoutErased). */
  erasures: PersonErasure[];
}

/** Once per deletion and batch, however many held keys replay it. */
function addErasure(result: StateBatchResult, erasure: PersonErasure): void {
  if (!result.erasures.some((e) => e.command_id === erasure.command_id)) result.erasures.push(erasure);
}

export function processStateBatch(
  messages: readonly ConsumedMessage[],
  partition: KeyedPartition,
  topology: StateTopology,
  ctx: JourneyContext,
  nowMs: number,
): StateBatchResult {
  const result: StateBatchResult = {
    ...emptyBatchResult(),
    erasures: [],
  };
  const count = (key: string): void => void result.counts.set(key, (result.counts.get(key) ?? 0) + 1);
  const first = messages[0];
  if (!first) return result;
  const step = emptyStepOutput();
  const keyedStep = {
    ctx,
    sweepIntervalMs: topology.sweepIntervalMs,
    out: step,
    send: (handover: Parameters<typeof encodeResolvedRecord>[1]) =>
      result.messages.push(...encodeResolvedRecord(topology.resolved, handover)),
    erase: (erasure: PersonErasure) => addErasure(result, erasure),
  };
  for (const message of messages) {
    // Already applied before a crash (the checkpoint is written after every output): skip.
    if (partition.checkpoint !== null && BigInt(message.offset) <= BigInt(partition.checkpoint)) {
      count('drop:already_processed');
      continue;
    }
    try {
      const decoded = decodeResolvedRecord(message, topology.eventType);
      if (decoded.kind === 'dlq') {
        result.messages.push(
          deadLetterMessage(
            topology.dlqTopic,
            message,
            { reason: decoded.reason, detail: decoded.detail, step: 'decodeResolvedRecord' },
            nowMs,
          ),
        );
        count(`dlq:${decoded.reason}`);
        continue;
      }
      const record = decoded.record;
      if (record.kind === 'event' && record.event.event_time < partition.store.watermark)
        count('late:behind_watermark');
      applyResolvedRecord(partition, record, keyedStep);
      if (record.kind === 'event') result.outputs.events.push(record.event);
      count(record.kind === 'event' ? 'ok' : record.kind);
    } catch (err) {
      result.messages.push(
        deadLetterMessage(
          topology.dlqTopic,
          message,
          { ...internalError(err), step: 'processStateBatch' },
          nowMs,
        ),
      );
      count('dlq:internal_error');
    }
  }
  const last = messages[messages.length - 1]!;
  emitStateOutputs(partition.store, step, topology, result, last.partition, () =>
    flushKeyedChangelog(partition),
  );
  partition.checkpoint = last.offset;
  result.checkpoint.push({
    topic: topology.journeyChangelogTopic,
    key: CHECKPOINT_KEY,
    value: last.offset,
    partition: last.partition,
  });
  return result;
}

/** A wall-clock tick of one partition (idle input): its keys swept at `now`, the outputs and the
 *  changelog (no checkpoint: no record was read). Null when `now` is not past the watermark. */
export function processStateTick(
  partition: KeyedPartition,
  now: number,
  topology: StateTopology,
  ctx: JourneyContext,
  resolvedPartition: number,
): StateBatchResult | null {
  const result: StateBatchResult = {
    ...emptyBatchResult(),
    erasures: [],
  };
  const step = emptyStepOutput();
  const ticked = tickPartition(partition, now, {
    ctx,
    sweepIntervalMs: topology.sweepIntervalMs,
    out: step,
    send: (handover) => result.messages.push(...encodeResolvedRecord(topology.resolved, handover)),
    erase: (erasure) => addErasure(result, erasure),
  });
  if (!ticked) return null;
  emitStateOutputs(partition.store, step, topology, result, resolvedPartition, () =>
    flushKeyedChangelog(partition),
  );
  return result;
}
