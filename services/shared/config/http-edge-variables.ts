// The variables of the HTTP edges — the collector (`journey collect`) and the explorer
// (`journey explore`) — apart from the stages' own (config.ts spreads them into CONFIG_VARIABLES,
// so they are validated, documented and masked like every other).
import { z } from 'zod';
import { perSource } from './per-source.ts';

const int = (min: number) => z.coerce.number().int().min(min);

export const HTTP_EDGE_VARIABLES = {
  COLLECTOR_PORT: [
    int(0),
    '8088',
    'Port of `journey collect` (the HTTP collection edge: Segment API, vendor webhooks, and its /healthz, /readyz, /metrics).',
  ],
  COLLECTOR_TLS_CERT_FILE: [
    z.string().optional(),
    undefined,
    'PEM certificate: the collector serves HTTPS (usually TLS ends at the ingress instead).',
  ],
  COLLECTOR_TLS_KEY_FILE: [z.string().optional(), undefined, 'PEM key of COLLECTOR_TLS_CERT_FILE.'],
  COLLECTOR_SEGMENT_WRITE_KEYS: [
    z.string().optional(),
    undefined,
    'Comma-separated Segment write keys the collector accepts (HTTP basic auth user, or `writeKey` in the body; secret; or _FILE). None: the Segment endpoints answer 401.',
  ],
  COLLECTOR_STRIPE_SECRETS: [
    z.string().optional(),
    undefined,
    'Comma-separated Stripe webhook signing secrets (`whsec_...`); several during a rotation (secret; or _FILE).',
  ],
  COLLECTOR_STRIPE_TOLERANCE_SECONDS: [
    int(1),
    '300',
    "Largest age of a `Stripe-Signature` timestamp (replayed deliveries are refused); Stripe's own default.",
  ],
  COLLECTOR_ZENDESK_SECRETS: [
    z.string().optional(),
    undefined,
    'Comma-separated Zendesk webhook signing secrets (secret; or _FILE).',
  ],
  COLLECTOR_TYPEFORM_SECRETS: [
    z.string().optional(),
    undefined,
    'Comma-separated Typeform webhook secrets (secret; or _FILE).',
  ],
  COLLECTOR_DELIGHTED_TOKENS: [
    z.string().optional(),
    undefined,
    'Comma-separated tokens for Delighted webhooks, which are not signed: the URL carries one as `?token=` (secret; or _FILE).',
  ],
  COLLECTOR_MAX_BODY_BYTES: [
    int(1024),
    '524288',
    'Largest request body, after gzip is undone (Segment allows 500 KB per batch); larger is 413.',
  ],
  COLLECTOR_MAX_BODY_BYTES_BY_SOURCE: [
    perSource,
    '',
    'Per-source overrides of COLLECTOR_MAX_BODY_BYTES as `source=bytes` pairs, e.g. `stripe=1048576,zendesk=262144` (sources: segment, stripe, zendesk, delighted, typeform).',
  ],
  COLLECTOR_SEGMENT_MAX_CALL_BYTES: [
    int(1024),
    '32768',
    "Largest single Segment call (`/v1/track`, `/v1/identify`, …), as Segment's API limits a call to 32 KB; batches take COLLECTOR_MAX_BODY_BYTES (a call in a batch over the ingest's message limit is dead-lettered with its reason).",
  ],
  COLLECTOR_MAX_BATCH_EVENTS: [int(1), '2500', 'Most calls in one Segment batch; more is 413.'],
  COLLECTOR_RATE_PER_KEY: [
    int(0),
    '0',
    'Requests per second per write key or webhook source (bursts of twice that); over it is 429 with Retry-After. 0: unlimited.',
  ],
  COLLECTOR_RATE_PER_KEY_BY_SOURCE: [
    perSource,
    '',
    'Per-source overrides of COLLECTOR_RATE_PER_KEY as `source=requests per second` pairs, e.g. `segment=2000,stripe=50` (0: unlimited).',
  ],
  COLLECTOR_ACK_TIMEOUT_MS: [
    int(100),
    '10000',
    'How long a request waits for Kafka to acknowledge its write before it is answered 503 with Retry-After (the vendor retries; the ingest drops the duplicate if the write landed after all).',
  ],
  EXPLORE_HOST: [
    z.string().min(1),
    '127.0.0.1',
    'Address `journey explore` (the journey explorer, a read-only web app over ClickHouse) listens on. Beyond localhost it needs EXPLORE_TOKEN.',
  ],
  EXPLORE_PORT: [int(0), '8090', 'Port of `journey explore`.'],
  EXPLORE_TOKEN: [
    z.string().min(16, 'at least 16 characters').optional(),
    undefined,
    'Password of the explorer (HTTP basic auth, any user name; secret; or _FILE). Required when EXPLORE_HOST is not a loopback address.',
  ],
} as const;
