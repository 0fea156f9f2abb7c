// Step: canonical event -> Kafka message for journey.events.canonical, Confluent-framed Avro
// (magic byte 0, 4-byte schema id, Avro binary of schemas/journey_event.avsc). Keyed by the
// event's strongest person identifier so one person's events stay in order on one partition.
import type { Type } from 'avsc';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import { canonicalKey, encodeFramed } from '../shared/kafka/canonical-codec.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';

export function encodeCanonicalStep(
  event: JourneyEvent,
  topic: string,
  type: Type,
  schemaId: number,
  headers: Record<string, Buffer | undefined>,
): OutboundMessage {
  const passOn: Record<string, Buffer> = {};
  // The produce-time header (set by producers and the workload generator) travels with the event
  // so end-to-end latency can be measured at the sink.
  if (headers.produced_at) passOn.produced_at = headers.produced_at;
  return {
    topic,
    key: canonicalKey(event),
    value: encodeFramed(type, schemaId, event),
    headers: passOn,
    timestampMs: event.received_time,
  };
}
