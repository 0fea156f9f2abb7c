// The collector's Prometheus metrics (its own process, its own registry). Every request is
// counted by source and HTTP status, every refusal by its reason, every written event by source.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface CollectorMetrics {
  registry: Registry;
  requests: Counter<'source' | 'status'>;
  rejections: Counter<'source' | 'reason'>;
  events: Counter<'source'>;
  duration: Histogram<'source'>;
}

export function createCollectorMetrics(collectDefaults = true): CollectorMetrics {
  const registry = new Registry();
  if (collectDefaults) collectDefaultMetrics({ register: registry, prefix: 'journey_' });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'journey_collector_requests_total',
      help: 'Requests answered by the collector, by source and HTTP status.',
      labelNames: ['source', 'status'],
      registers,
    }),
    rejections: new Counter({
      name: 'journey_collector_rejections_total',
      help: 'Requests refused (nothing written), by source and reason (signature_mismatch, write_key_unknown, body_too_large, rate_limited, kafka_unavailable, ...).',
      labelNames: ['source', 'reason'],
      registers,
    }),
    events: new Counter({
      name: 'journey_collector_events_total',
      help: 'Raw messages written and acknowledged by Kafka, by source (a Segment batch is one per call).',
      labelNames: ['source'],
      registers,
    }),
    duration: new Histogram({
      name: 'journey_collector_request_duration_seconds',
      help: 'From the request to its answer, Kafka acknowledgement included.',
      labelNames: ['source'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}
