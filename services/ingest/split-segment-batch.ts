// A Segment batch envelope — the body of the HTTP tracking API's `/v1/batch` and `/v1/import`, and
// what analytics.js / analytics-node send: `{"batch": [calls...], "context": {...},
// "integrations": {...}, "sentAt": "..."}` (segment.com/docs/connections/sources/catalog/libraries/
// server/http-api/#batch) — split into its calls, each a message of its own with its own
// messageId. The envelope's context, integrations and sentAt apply to every call that does not
// set its own (a call's own context keys win over the envelope's). Pure.
import type { PayloadObject } from './read-payload-fields.ts';
import { isPayloadObject } from './read-payload-fields.ts';

export type BatchCall = { kind: 'call'; payload: PayloadObject } | { kind: 'invalid'; detail: string };

/** null: not a batch envelope (a single call, handled as before). */
export function splitSegmentBatch(payload: unknown): BatchCall[] | null {
  if (!isPayloadObject(payload) || !Array.isArray(payload.batch) || 'type' in payload) return null;
  const envelopeContext = isPayloadObject(payload.context) ? payload.context : undefined;
  const integrations = isPayloadObject(payload.integrations) ? payload.integrations : undefined;
  const sentAt = payload.sentAt;
  return payload.batch.map((call: unknown, index): BatchCall => {
    if (!isPayloadObject(call))
      return { kind: 'invalid', detail: `batch[${index}]: expected a call object, got ${kindOf(call)}` };
    const merged: PayloadObject = { ...call };
    if (envelopeContext !== undefined)
      merged.context = isPayloadObject(call.context)
        ? { ...envelopeContext, ...call.context }
        : envelopeContext;
    if (integrations !== undefined && call.integrations === undefined) merged.integrations = integrations;
    if (sentAt !== undefined && call.sentAt === undefined) merged.sentAt = sentAt;
    return { kind: 'call', payload: merged };
  });
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
