// The identity resolver, top to bottom (docs/architecture.md, step 3):
//   link fact -> decode -> resolve against the one identity graph -> table records, stamped with
//   the fact's links offset -> the batch's checkpoint, written last.
// The same `resolve` as the journey stage, fed only the events whose facts the ingest's filter
// admitted (services/identity/link-facts.ts), so the graph it builds is the journey's graph on the
// same input (test/integration/identity-resolver.test.ts). Pure: the shell (resolver-service.ts)
// writes what this returns and the links offsets in one Kafka transaction.
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import { deadLetterMessage } from '../shared/kafka/dead-letter.ts';
import { internalError } from '../shared/bulkhead.ts';
import { checkpointRecord, encodeChangelogRecord, resolve } from '../identity/identity-core.ts';
import type { IdentityConfig, IdentityEffect, IdentityGraph } from '../identity/identity-core.ts';
import { decodeLinkFact } from '../identity/link-fact-message.ts';

/** Header of every table record: the links offset of the fact that wrote it (its version). */
export const LINKS_OFFSET_HEADER = 'links_offset';

export interface ResolverTopology {
  tableTopic: string;
  dlqTopic: string;
}

export interface ResolverBatchResult {
  /** Dead letters (unreadable facts, defects). */
  messages: OutboundMessage[];
  /** Table records, in the order the graph changed. */
  table: OutboundMessage[];
  /** Written last: the table's checkpoint of this batch. */
  checkpoint: OutboundMessage[];
  counts: Map<string, number>;
  effects: IdentityEffect[];
}

export function processLinkBatch(
  messages: readonly ConsumedMessage[],
  graph: IdentityGraph,
  topology: ResolverTopology,
  identityConfig: IdentityConfig,
  nowMs: number,
): ResolverBatchResult {
  const result: ResolverBatchResult = {
    messages: [],
    table: [],
    checkpoint: [],
    counts: new Map(),
    effects: [],
  };
  const count = (key: string): void => void result.counts.set(key, (result.counts.get(key) ?? 0) + 1);
  const first = messages[0];
  if (!first) return result;
  const checkpoint = graph.checkpoints.get(first.partition);
  for (const message of messages) {
    // Already in the table before a crash (the checkpoint is written after every record): skip.
    if (checkpoint !== undefined && BigInt(message.offset) <= BigInt(checkpoint)) {
      count('drop:already_processed');
      continue;
    }
    // The bulkhead, as in the journey stage: a defect dead-letters its fact, the batch goes on, and
    // what the fact changed before the exception stays with its table records.
    try {
      const decoded = decodeLinkFact(message.value);
      if (decoded.kind === 'invalid') {
        result.messages.push(
          deadLetterMessage(
            topology.dlqTopic,
            message,
            { reason: 'invalid_field', detail: decoded.detail, step: 'decodeLinkFact' },
            nowMs,
          ),
        );
        count('dlq:invalid_field');
        continue;
      }
      const resolved = resolve(graph, decoded.event, decoded.event.received_time, identityConfig);
      for (const record of resolved.changelog)
        result.table.push({
          topic: topology.tableTopic,
          ...encodeChangelogRecord(record),
          partition: 0,
          headers: { [LINKS_OFFSET_HEADER]: message.offset },
        });
      result.effects.push(...resolved.effects);
      count(resolved.outcome.kind === 'suppressed' ? `drop:${resolved.outcome.reason}` : 'ok');
    } catch (err) {
      result.messages.push(
        deadLetterMessage(
          topology.dlqTopic,
          message,
          { ...internalError(err), step: 'processLinkBatch' },
          nowMs,
        ),
      );
      count('dlq:internal_error');
    }
  }
  const last = messages[messages.length - 1]!;
  graph.checkpoints.set(last.partition, last.offset);
  result.checkpoint.push({
    topic: topology.tableTopic,
    ...encodeChangelogRecord(checkpointRecord(last.partition, last.offset)),
    partition: 0,
  });
  return result;
}
