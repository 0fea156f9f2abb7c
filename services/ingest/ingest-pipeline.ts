// The ingest stage, top to bottom like the data-flow diagram (house style 1):
//   raw message -> decode (Avro via registry | JSON) -> normalise (per source, limits, junk ids,
//   PII) -> drop duplicates -> encode canonical Avro  |  any dlq result -> dead-letter message.
// Pure apart from the injected schema lookup; the shell (ingest-service.ts) writes the outputs
// and commits offsets.
import type { Type } from 'avsc';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { deadLetterMessage } from '../shared/kafka/dead-letter.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import { TransientFault, internalError, isInfrastructureFault } from '../shared/bulkhead.ts';
import { canonicalMessageLimit } from '../shared/kafka/message-limits.ts';
import type { DlqReason } from '../shared/results.ts';
import { decodeMessageStep } from './decode-message-step.ts';
import type { LookupSchema } from './decode-message-step.ts';
import type { DedupWindow } from './dedup-window.ts';
import { dropDuplicateStep } from './drop-duplicate-step.ts';
import { REPLAYED_HEADER } from '../shared/kafka/dead-letter.ts';
import { encodeCanonicalStep } from './encode-canonical-step.ts';
import type { IngestConfig, InputSource } from './ingest-config.ts';
import { normaliseEventStep } from './normalise-event-step.ts';
import { splitSegmentBatch } from './split-segment-batch.ts';
import { linkFactOf } from '../identity/link-facts.ts';
import type { LinkFactFilter } from '../identity/link-facts.ts';
import { encodeLinkFact } from '../identity/link-fact-message.ts';

/** On a dead letter of one call of a Segment batch: the call's index in the batch. */
export const BATCH_INDEX_HEADER = 'dlq_batch_index';

export interface IngestTopology {
  sourceByTopic: ReadonlyMap<string, InputSource>;
  canonicalTopic: string;
  dlqTopic: string;
  canonicalType: Type;
  canonicalSchemaId: number;
  /** With IDENTITY_RESOLVER=on: the identity links topic, and the instance's link-fact filter
   *  (an event's fact goes out once, not with every event: services/identity/link-facts.ts). */
  links?: { topic: string; filter: LinkFactFilter };
}

export interface IngestBatchResult {
  outputs: OutboundMessage[];
  /** Link facts of the canonical events in `outputs`, in the same order: sent before them. */
  links: OutboundMessage[];
  /** result/reason counts for metrics, e.g. { 'ok': 10, 'dlq:invalid_json': 1, 'drop:duplicate': 2 } */
  counts: Map<string, number>;
  junkIdentifiers: number;
  dlq: Array<{ reason: string; step: string; offset: string }>;
  /** Greatest event time of the canonical events in `outputs` (null: none): the raw partition's
   *  progress in event time, for its watermark marker. */
  maxEventTime: number | null;
}

/** Thrown for transient faults (registry down): the batch is abandoned uncommitted and retried. */
export class TransientIngestError extends TransientFault {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`transient ingest failure: ${reason}`, options);
    this.name = 'TransientIngestError';
  }
}

export async function processIngestBatch(
  messages: readonly ConsumedMessage[],
  topology: IngestTopology,
  config: IngestConfig,
  lookupSchema: LookupSchema,
  dedup: DedupWindow,
  nowMs: number,
): Promise<IngestBatchResult> {
  const result: IngestBatchResult = {
    outputs: [],
    links: [],
    counts: new Map(),
    junkIdentifiers: 0,
    dlq: [],
    maxEventTime: null,
  };
  const count = (key: string): void => void result.counts.set(key, (result.counts.get(key) ?? 0) + 1);

  for (const message of messages) {
    const source = topology.sourceByTopic.get(message.topic);
    if (!source) throw new Error(`no input source configured for topic ${message.topic}`);
    const toDeadLetter = (
      step: string,
      failed: DeadLetterCause,
      schemaId?: number,
      letter: ConsumedMessage = message,
    ): void => {
      result.outputs.push(
        deadLetterMessage(
          topology.dlqTopic,
          letter,
          { reason: failed.reason, detail: failed.detail, step, schemaId: schemaId ?? null },
          nowMs,
        ),
      );
      result.dlq.push({ reason: failed.reason, step, offset: message.offset });
      count(`dlq:${failed.reason}`);
    };
    // The bulkhead: an exception raised by one message (a defect, not an infrastructure fault)
    // dead-letters that message with reason internal_error; the rest of the batch goes on.
    try {
      await processIngestMessage(
        message,
        source,
        topology,
        config,
        lookupSchema,
        dedup,
        result,
        toDeadLetter,
      );
    } catch (err) {
      if (isInfrastructureFault(err)) throw err;
      toDeadLetter('processIngestMessage', internalError(err));
    }
  }
  return result;
}

type DeadLetterCause = { reason: DlqReason; detail: string };

async function processIngestMessage(
  message: ConsumedMessage,
  source: InputSource,
  topology: IngestTopology,
  config: IngestConfig,
  lookupSchema: LookupSchema,
  dedup: DedupWindow,
  result: IngestBatchResult,
  toDeadLetter: (step: string, failed: DeadLetterCause, schemaId?: number, letter?: ConsumedMessage) => void,
): Promise<void> {
  const count = (key: string): void => void result.counts.set(key, (result.counts.get(key) ?? 0) + 1);
  const decoded = await decodeMessageStep(message.value, lookupSchema, config.limits);
  if (decoded.kind === 'retry') throw new TransientIngestError(decoded.reason, { cause: decoded.cause });
  if (decoded.kind === 'dlq') return toDeadLetter('decodeMessageStep', decoded);
  if (decoded.kind === 'drop') return count(`drop:${decoded.reason}`);
  const schemaId = decoded.value.format === 'avro' ? decoded.value.schemaId : undefined;
  // A Segment batch envelope: each call goes its own way, a bad one to the DLQ alone, as a message
  // of its own (the call with the envelope's context) that replay-dlq can re-feed.
  const calls = source === 'behavior' ? splitSegmentBatch(decoded.value.payload) : null;
  if (calls === null)
    return processIngestEvent(
      message,
      source,
      decoded.value.payload,
      schemaId,
      topology,
      config,
      dedup,
      result,
      toDeadLetter,
    );
  if (calls.length === 0) return count('drop:empty_batch');
  for (const [index, call] of calls.entries()) {
    // The dead letter of a call: the call alone (with the envelope's context), the batch index in
    // a header; the source offset is the batch's.
    const letter: ConsumedMessage = {
      ...message,
      value: Buffer.from(JSON.stringify(call.kind === 'call' ? call.payload : null)),
      headers: { ...message.headers, [BATCH_INDEX_HEADER]: Buffer.from(String(index)) },
    };
    const callDeadLetter = (step: string, failed: DeadLetterCause): void =>
      toDeadLetter(step, { ...failed, detail: `batch[${index}]: ${failed.detail}` }, undefined, letter);
    if (call.kind === 'invalid') {
      callDeadLetter('splitSegmentBatch', { reason: 'invalid_field', detail: call.detail });
      continue;
    }
    // The bulkhead, per call: a defect raised by one call dead-letters that call only.
    try {
      processIngestEvent(
        message,
        source,
        call.payload,
        undefined,
        topology,
        config,
        dedup,
        result,
        callDeadLetter,
      );
    } catch (err) {
      if (isInfrastructureFault(err)) throw err;
      callDeadLetter('processIngestEvent', internalError(err));
    }
  }
}

/** Normalise -> drop duplicates -> encode, for one event (a message, or one call of a batch). */
function processIngestEvent(
  message: ConsumedMessage,
  source: InputSource,
  payload: unknown,
  schemaId: number | undefined,
  topology: IngestTopology,
  config: IngestConfig,
  dedup: DedupWindow,
  result: IngestBatchResult,
  toDeadLetter: (step: string, failed: DeadLetterCause, schemaId?: number) => void,
): void {
  const count = (key: string): void => void result.counts.set(key, (result.counts.get(key) ?? 0) + 1);
  const normalised = normaliseEventStep(source, payload, { receivedTime: message.timestampMs }, config);
  if (normalised.kind === 'dlq') return toDeadLetter('normaliseEventStep', normalised, schemaId);
  if (normalised.kind === 'retry')
    throw new TransientIngestError(normalised.reason, { cause: normalised.cause });
  if (normalised.kind === 'drop') return count(`drop:${normalised.reason}`);
  result.junkIdentifiers += normalised.value.junkIdentifiers.length;

  const unique = dropDuplicateStep(
    dedup,
    normalised.value,
    message.timestampMs,
    message.headers[REPLAYED_HEADER] !== undefined,
  );
  if (unique.kind !== 'ok') return count(`drop:${unique.kind === 'drop' ? unique.reason : unique.kind}`);
  const canonical = encodeCanonicalStep(
    unique.value.event,
    topology.canonicalTopic,
    topology.canonicalType,
    topology.canonicalSchemaId,
    message.headers,
  );
  // Pseudonymisation can make an event larger than its raw message: one over the canonical
  // topic's limit would be refused by the broker and block the partition.
  const size = (canonical.value as Buffer).length;
  if (size > canonicalMessageLimit(config.limits.maxMessageBytes)) {
    return toDeadLetter('encodeCanonicalStep', {
      reason: 'message_too_large',
      detail: `canonical event is ${size} bytes after normalisation (limit ${canonicalMessageLimit(config.limits.maxMessageBytes)})`,
    });
  }
  // The fact is built before anything is kept: an event is sent, or dead-lettered, never both.
  const event = unique.value.event;
  const link =
    topology.links && topology.links.filter.admit(linkFactOf(event, config.junkIdentifierPattern ?? null))
      ? { topic: topology.links.topic, ...encodeLinkFact(event) }
      : null;
  result.outputs.push(canonical);
  if (link) result.links.push(link);
  result.maxEventTime = Math.max(result.maxEventTime ?? -Infinity, unique.value.event.event_time);
  count('ok');
}
