// Deterministic event ids: `<source>:<the source's own id parts>` when the input has one, else
// `<source>:sha256:<hex>` over the canonical JSON (sorted keys, nulls dropped) of the content.
import { createHash } from 'node:crypto';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';

export function sourceEventId(source: string, ...parts: string[]): string {
  return `${source}:${parts.join(':')}`;
}

/** JSON with object keys sorted and null/undefined members dropped: equal content, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] != null)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Fallback id for inputs without their own id: a hash of the normalised event without event_id
 * and received_time, so a redelivery (same content, later receive time) and the same event sent
 * as JSON or Avro get the same id.
 */
export function contentEventId(event: JourneyEvent): string {
  const { event_id: _id, received_time: _received, ...content } = event;
  const digest = createHash('sha256').update(canonicalJson(content)).digest('hex');
  return `${event.source}:sha256:${digest}`;
}
