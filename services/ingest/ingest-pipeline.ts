// The ingest stage, top to bottom like the data-flow diagram (house style 1):
//   raw message -> decode (Avro via registry | JSON) -> normalise (per source, limits, junk ids,
//   PII) -> drop duplicates -> encode canonical Avro  |  any dlq result -> dead-letter message.
// Pure apart from the injected schema lookup; the shell (ingest-service.ts) writes the outputs
// and commits offsets.
import type { Type } from 'avsc';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { deadLetterMessage } from '../shared/kafka/dead-letter.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import type { StepResult } from '../shared/results.ts';
import { decodeMessageStep } from './decode-message-step.ts';
import type { LookupSchema } from './decode-message-step.ts';
import type { DedupWindow } from './dedup-window.ts';
import { dropDuplicateStep } from './drop-duplicate-step.ts';
import { encodeCanonicalStep } from './encode-canonical-step.ts';
import type { IngestConfig, InputSource } from './ingest-config.ts';
import { normaliseEventStep } from './normalise-event-step.ts';

export interface IngestTopology {
  sourceByTopic: ReadonlyMap<string, InputSource>;
  canonicalTopic: string;
  dlqTopic: string;
  canonicalType: Type;
  canonicalSchemaId: number;
}

export interface IngestBatchResult {
  outputs: OutboundMessage[];
  /** result/reason counts for metrics, e.g. { 'ok': 10, 'dlq:invalid_json': 1, 'drop:duplicate': 2 } */
  counts: Map<string, number>;
  junkIdentifiers: number;
  dlq: Array<{ reason: string; step: string; offset: string }>;
}

/** Thrown for transient faults (registry down): the batch is abandoned uncommitted and retried. */
export class TransientIngestError extends Error {
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
  const result: IngestBatchResult = { outputs: [], counts: new Map(), junkIdentifiers: 0, dlq: [] };
  const count = (key: string): void => void result.counts.set(key, (result.counts.get(key) ?? 0) + 1);

  for (const message of messages) {
    const source = topology.sourceByTopic.get(message.topic);
    if (!source) throw new Error(`no input source configured for topic ${message.topic}`);
    const toDeadLetter = (
      step: string,
      failed: StepResult<unknown> & { kind: 'dlq' },
      schemaId?: number,
    ): void => {
      result.outputs.push(
        deadLetterMessage(
          topology.dlqTopic,
          message,
          { reason: failed.reason, detail: failed.detail, step, schemaId: schemaId ?? null },
          nowMs,
        ),
      );
      result.dlq.push({ reason: failed.reason, step, offset: message.offset });
      count(`dlq:${failed.reason}`);
    };

    const decoded = await decodeMessageStep(message.value, lookupSchema, config.limits);
    if (decoded.kind === 'retry') throw new TransientIngestError(decoded.reason, { cause: decoded.cause });
    if (decoded.kind === 'dlq') {
      toDeadLetter('decodeMessageStep', decoded);
      continue;
    }
    if (decoded.kind === 'drop') {
      count(`drop:${decoded.reason}`);
      continue;
    }
    const schemaId = decoded.value.format === 'avro' ? decoded.value.schemaId : undefined;

    const normalised = normaliseEventStep(
      source,
      decoded.value.payload,
      { receivedTime: message.timestampMs },
      config,
    );
    if (normalised.kind === 'dlq') {
      toDeadLetter('normaliseEventStep', normalised, schemaId);
      continue;
    }
    if (normalised.kind !== 'ok') {
      if (normalised.kind === 'retry')
        throw new TransientIngestError(normalised.reason, { cause: normalised.cause });
      count(`drop:${normalised.reason}`);
      continue;
    }
    result.junkIdentifiers += normalised.value.junkIdentifiers.length;

    const unique = dropDuplicateStep(dedup, normalised.value, message.timestampMs);
    if (unique.kind !== 'ok') {
      count(`drop:${unique.kind === 'drop' ? unique.reason : unique.kind}`);
      continue;
    }
    result.outputs.push(
      encodeCanonicalStep(
        unique.value.event,
        topology.canonicalTopic,
        topology.canonicalType,
        topology.canonicalSchemaId,
        message.headers,
      ),
    );
    count('ok');
  }
  return result;
}
