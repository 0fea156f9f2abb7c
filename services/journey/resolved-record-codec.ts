// The records of the resolved-events topic in the partitioned journey (route-resolved.ts) on the
// wire. An event is the canonical Avro frame with person and account ids, keyed by its journey key,
// exactly what the topic has always carried, so its other readers see no change; a marker is the
// ingest's marker (WATERMARK_HEADER) with the canonical partition it came on; move, expect and
// handover are small JSON records under the CONTROL_HEADER (a handover carries the state in the
// changelog's own format, state-formats.ts). Readers other than the state step skip both kinds by
// their header, as they skip markers on the canonical topic. Every record goes to the partition of
// its key (partitionOfKey); markers to every partition.
import type { Type } from 'avsc';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { encodeFramed } from '../shared/kafka/canonical-codec.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import { WATERMARK_HEADER, decodeWatermarkMarker } from '../shared/kafka/watermark-marker.ts';
import type { DlqReason } from '../shared/results.ts';
import { decodeCanonicalStep } from './decode-canonical-step.ts';
import type { ResolvedRecord } from './route-resolved.ts';
import type { PersonErasure } from '../identity/person-erasure.ts';
import { deserializeState, serializeState } from './serialize-state.ts';

export const CONTROL_HEADER = 'journey_control';
export const ORIGIN_HEADER = 'journey_origin';

/** The partition of a journey key: FNV-1a of its UTF-16 units, so every writer agrees without
 *  depending on a client's partitioner. */
export function partitionOfKey(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h % partitions;
}

export interface ResolvedCodec {
  topic: string;
  partitions: number;
  eventType: Type;
  eventSchemaId: number;
}

export function encodeResolvedRecord(codec: ResolvedCodec, record: ResolvedRecord): OutboundMessage[] {
  const { topic, partitions } = codec;
  switch (record.kind) {
    case 'event':
      return [
        {
          topic,
          key: record.key,
          partition: partitionOfKey(record.key, partitions),
          value: encodeFramed(codec.eventType, codec.eventSchemaId, record.event),
        },
      ];
    case 'marker': {
      const value = JSON.stringify(record.marker);
      return Array.from({ length: partitions }, (_, partition) => ({
        topic,
        partition,
        key: record.marker.source,
        value,
        headers: { [WATERMARK_HEADER]: '1', [ORIGIN_HEADER]: String(record.origin) },
      }));
    }
    case 'forget': {
      const value = JSON.stringify({ erasure: record.erasure });
      return Array.from({ length: partitions }, (_, partition) => ({
        topic,
        partition,
        key: record.erasure.command_id,
        value,
        headers: { [CONTROL_HEADER]: 'forget' },
      }));
    }
    case 'move':
    case 'expect':
    case 'drop':
    case 'handover': {
      const body =
        record.kind === 'move'
          ? { to: record.to, toKind: record.toKind }
          : record.kind === 'expect'
            ? { from: record.from, toKind: record.toKind }
            : record.kind === 'drop'
              ? {}
              : { from: record.from, state: record.state === null ? null : serializeState(record.state) };
      return [
        {
          topic,
          key: record.key,
          partition: partitionOfKey(record.key, partitions),
          value: JSON.stringify(body),
          headers: { [CONTROL_HEADER]: record.kind },
        },
      ];
    }
  }
}

export type DecodedResolved =
  { kind: 'ok'; record: ResolvedRecord } | { kind: 'dlq'; reason: DlqReason; detail: string };

const KINDS = new Set(['account', 'person']);

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
function isErasure(v: unknown): v is PersonErasure {
  const e = v as Partial<PersonErasure> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.command_id === 'string' &&
    strings(e.person_ids) &&
    strings(e.identifier_keys)
  );
}

export function decodeResolvedRecord(message: ConsumedMessage, eventType: Type): DecodedResolved {
  const key = message.key?.toString('utf8') ?? '';
  const control = message.headers[CONTROL_HEADER]?.toString('utf8');
  if (message.headers[WATERMARK_HEADER] !== undefined) {
    const marker = decodeWatermarkMarker(message.value);
    const origin = Number(message.headers[ORIGIN_HEADER]?.toString('utf8'));
    if (marker === null || !Number.isInteger(origin) || origin < 0)
      return { kind: 'dlq', reason: 'invalid_field', detail: 'unreadable watermark marker' };
    return { kind: 'ok', record: { kind: 'marker', origin, marker } };
  }
  if (control === undefined) {
    const decoded = decodeCanonicalStep(message.value, eventType);
    if (decoded.kind !== 'ok')
      return decoded.kind === 'dlq'
        ? decoded
        : { kind: 'dlq', reason: 'invalid_field', detail: 'unreadable resolved event' };
    return { kind: 'ok', record: { kind: 'event', key, event: decoded.value as JourneyEvent } };
  }
  try {
    const body = JSON.parse(message.value?.toString('utf8') ?? 'null') as Record<string, unknown>;
    if (control === 'move' && typeof body.to === 'string' && KINDS.has(body.toKind as string))
      return {
        kind: 'ok',
        record: { kind: 'move', key, to: body.to, toKind: body.toKind as 'account' | 'person' },
      };
    if (control === 'expect' && typeof body.from === 'string' && KINDS.has(body.toKind as string))
      return {
        kind: 'ok',
        record: { kind: 'expect', key, from: body.from, toKind: body.toKind as 'account' | 'person' },
      };
    if (
      control === 'handover' &&
      typeof body.from === 'string' &&
      (body.state === null || typeof body.state === 'string')
    )
      return {
        kind: 'ok',
        record: {
          kind: 'handover',
          key,
          from: body.from,
          state: body.state === null ? null : deserializeState(body.state as string),
        },
      };
    if (control === 'drop') return { kind: 'ok', record: { kind: 'drop', key } };
    if (control === 'forget' && isErasure(body.erasure))
      return { kind: 'ok', record: { kind: 'forget', erasure: body.erasure } };
  } catch (err) {
    return {
      kind: 'dlq',
      reason: 'invalid_field',
      detail: `unreadable ${control} record: ${(err as Error).message}`,
    };
  }
  return { kind: 'dlq', reason: 'invalid_field', detail: `unreadable ${control} record` };
}
