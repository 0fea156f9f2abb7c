// Typed configuration, validated once at startup (house style 9). Every problem is reported
// with the variable name before anything connects; nothing here is a module-level singleton.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import { maskSecrets, readSecret, registerUrlSecret } from './secrets.ts';
import { DEFAULT_INGEST_LIMITS } from '../../ingest/ingest-config.ts';
import type { EnvSource } from './secrets.ts';
import { HTTP_EDGE_VARIABLES } from './http-edge-variables.ts';
export { COLLECTOR_SOURCES } from './per-source.ts';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number) => z.coerce.number().int().min(min);
const name = z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only');
const sqlIdentifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a plain SQL identifier');

/** Every variable the pipeline reads: name -> [schema, default, description]. The docs are generated from this. */
export const CONFIG_VARIABLES = {
  KAFKA_BROKERS: [z.string().min(1), '127.0.0.1:19092', 'Comma-separated bootstrap brokers.'],
  KAFKA_CLIENT_ID: [name, 'journey-pipeline', 'Kafka client id prefix.'],
  KAFKA_SSL: [bool, 'false', 'Use TLS to the brokers.'],
  KAFKA_SSL_CA_FILE: [z.string().optional(), undefined, 'PEM CA bundle for the brokers.'],
  KAFKA_SSL_CERT_FILE: [z.string().optional(), undefined, 'PEM client certificate (mutual TLS).'],
  KAFKA_SSL_KEY_FILE: [z.string().optional(), undefined, 'PEM client key (mutual TLS).'],
  KAFKA_SASL_MECHANISM: [
    z.enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512']),
    'none',
    'SASL mechanism; `plain` only with KAFKA_SSL (it sends the password in clear).',
  ],
  KAFKA_SASL_USERNAME: [z.string().optional(), undefined, 'SASL user.'],
  KAFKA_SASL_PASSWORD: [
    z.string().optional(),
    undefined,
    'SASL password (secret; or KAFKA_SASL_PASSWORD_FILE).',
  ],
  SCHEMA_REGISTRY_URL: [
    z.url(),
    'http://127.0.0.1:18081/apis/ccompat/v7',
    'Confluent-compatible Schema Registry URL.',
  ],
  SCHEMA_REGISTRY_USERNAME: [z.string().optional(), undefined, 'Registry basic-auth user.'],
  SCHEMA_REGISTRY_PASSWORD: [
    z.string().optional(),
    undefined,
    'Registry basic-auth password (secret; or _FILE).',
  ],
  CLICKHOUSE_URL: [
    z.string().min(1),
    'http://127.0.0.1:18123',
    'ClickHouse HTTP(S) URL, or chdb:<dir> for the embedded engine.',
  ],
  CLICKHOUSE_DATABASE: [sqlIdentifier, 'journey', 'Database holding the pipeline tables.'],
  CLICKHOUSE_USER: [z.string(), 'default', 'ClickHouse user.'],
  CLICKHOUSE_PASSWORD: [
    z.string().optional(),
    undefined,
    'ClickHouse password (secret; or CLICKHOUSE_PASSWORD_FILE).',
  ],
  CLICKHOUSE_CA_FILE: [z.string().optional(), undefined, 'PEM CA for ClickHouse over HTTPS.'],
  TOPIC_BEHAVIOR: [name, 'journey.raw.behavior', 'Raw behavior (Segment spec) topic.'],
  TOPIC_TICKETS: [name, 'journey.raw.tickets', 'Raw support-ticket topic.'],
  TOPIC_SURVEYS: [name, 'journey.raw.surveys', 'Raw survey-response topic.'],
  TOPIC_BILLING: [name, 'journey.raw.billing', 'Raw billing topic.'],
  TOPIC_CANONICAL: [name, 'journey.events.canonical', 'Canonical events (ingest output).'],
  TOPIC_DLQ: [name, 'journey.dlq', 'Dead-letter topic.'],
  TOPIC_RESOLVED: [
    name,
    'journey.events.resolved',
    'Resolved events (person and account ids), keyed by account.',
  ],
  TOPIC_IDENTITY_CHANGES: [name, 'journey.identity.changes', 'Merges, refused merges, splits and deletions.'],
  TOPIC_IDENTITY_CHANGELOG: [
    name,
    'journey.identity.changelog',
    'Compacted identity-graph changelog (state restore).',
  ],
  TOPIC_IDENTITY_LINKS: [
    name,
    'journey.identity.links',
    'Link facts: the events that tie identifiers or a person to an account, from the ingest to the resolver (IDENTITY_RESOLVER=on).',
  ],
  TOPIC_IDENTITY_TABLE: [
    name,
    'journey.identity.table',
    "Compacted identity table the resolver builds from the link facts (the identity changelog's records, each stamped with its links offset).",
  ],
  IDENTITY_RESOLVER: [
    z.enum(['off', 'on']),
    'off',
    'on: the ingest also sends link facts and `journey resolver` builds TOPIC_IDENTITY_TABLE from them, beside the journey stage, which still resolves on its own graph (docs/architecture.md, step 3 of the scale-out topology).',
  ],
  RESOLVER_GROUP_ID: [name, 'journey-resolver', 'Consumer group of the identity resolver stage.'],
  TOPIC_CANONICAL_PARTITIONS: [
    int(1),
    '1',
    'Partitions of the canonical topic: one identity writer per partition group (see docs/identity.md).',
  ],
  TOPIC_IDENTITY_COMMANDS: [
    name,
    'journey.identity.commands',
    'Operator identity commands (force-merge, split, delete), applied by the journey stage.',
  ],
  TOPIC_JOURNEY_CHANGELOG: [
    name,
    'journey.state.changelog',
    'Compacted per-account journey-state changelog (state restore).',
  ],
  TOPIC_CHURN_ALERTS: [
    name,
    'journey.churn.alerts',
    'Churn alerts, keyed by account (score, reasons, previous band).',
  ],
  JOURNEY_MAP_FILE: [
    z.string().min(1),
    'config/journeys/b2b-saas.yaml',
    'The journey map (YAML), validated at startup.',
  ],
  CHURN_CONFIG_FILE: [
    z.string().min(1),
    'config/churn.yaml',
    'Churn weights, bands and alert cool-down (YAML).',
  ],
  JOURNEY_SWEEP_MINUTES: [
    int(1),
    '60',
    'Event-time interval between timer sweeps (stalls, inactivity, re-scores).',
  ],
  JOURNEY_RESOLVED_OUTPUT: [
    z.enum(['full', 'off']),
    'full',
    'Resolved events to TOPIC_RESOLVED: full (the canonical Avro event with person and account ids) or off (ClickHouse journey_events only; the topic is about a third of what the journey stage produces).',
  ],
  JOURNEY_IDLE_TICK_SECONDS: [
    int(0),
    '60',
    'When the input has been idle this long, time advances by the wall clock (stalls, at-risk, re-scores for quiet accounts); 0 = off.',
  ],
  JOURNEY_TOPOLOGY: [
    z.enum(['single', 'partitioned']),
    'partitioned',
    'partitioned: `journey route` (one writer: identity, routing) feeds TOPIC_RESOLVED by account, and the journey stage scales with its partitions. single: one journey writer resolves identity and keeps every account (further instances are standbys; compose: --scale route=0; k8s/overlays/single). Switching a running deployment needs `journey rebuild-state` (docs/architecture.md, docs/operations.md).',
  ],
  JOURNEY_PARTITIONS_CONCURRENTLY: [
    int(1),
    '6',
    "JOURNEY_TOPOLOGY=partitioned: resolved partitions whose batches one journey instance handles at once (1 = one batch at a time). Each partition has its own state and transactional producer, and the batches in flight share their ClickHouse inserts (one per table per round: docs/clickhouse.md), so one partition's batch no longer waits for a round over the others; restores and wall-clock ticks still run alone. The single writer ignores it.",
  ],
  ROUTE_GROUP_ID: [
    name,
    'journey-route',
    'Consumer group of the route stage (JOURNEY_TOPOLOGY=partitioned).',
  ],
  JOURNEY_GROUP_ID: [
    name,
    'journey-core',
    'Consumer group of the journey stage (identity, state, churn, ClickHouse).',
  ],
  CLICKHOUSE_CLUSTER: [
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional(),
    undefined,
    'Run migrations ON CLUSTER with Replicated engines.',
  ],
  CLICKHOUSE_RETENTION_DAYS: [int(1).max(18250), '730', 'TTL of event-like tables (at most 50 years).'],
  IDENTITY_MAX_IDS_PER_PERSON: [
    int(1),
    '200',
    'Identifier cap per person (a link beyond it is refused and counted).',
  ],
  IDENTITY_MAX_ACCOUNTS_PER_PERSON: [int(1), '50', 'Account memberships per person.'],
  TOPIC_PARTITIONS: [int(1), '6', 'Partitions for topics created by `journey topics`.'],
  TOPIC_RESOLVED_PARTITIONS: [
    int(0),
    '0',
    'Partitions of TOPIC_RESOLVED (and, with JOURNEY_TOPOLOGY=partitioned, of the journey changelog): at most this many journey instances share the state step. 0 = TOPIC_PARTITIONS. Set before the first run: the route stage places accounts by partition count.',
  ],
  INGEST_GROUP_ID: [name, 'journey-ingest', 'Consumer group of the ingest stage.'],
  KAFKA_SESSION_TIMEOUT_MS: [
    int(6000),
    '30000',
    'Consumer group session timeout: how long a killed instance keeps its partitions before the group hands them on (the broker allows 6000 and up by default).',
  ],
  INGEST_MAX_MESSAGE_BYTES: [
    int(256),
    String(DEFAULT_INGEST_LIMITS.maxMessageBytes),
    'Larger messages are dead-lettered (message_too_large).',
  ],
  INGEST_MAX_PROPERTIES: [
    int(1),
    String(DEFAULT_INGEST_LIMITS.maxPropertyCount),
    'More properties/traits keys: too_many_properties.',
  ],
  INGEST_MAX_DEPTH: [int(1), String(DEFAULT_INGEST_LIMITS.maxDepth), 'Deeper nesting: too_deep.'],
  INGEST_MAX_STRING_LENGTH: [
    int(16),
    String(DEFAULT_INGEST_LIMITS.maxStringLength),
    'Longer strings: string_too_long.',
  ],
  INGEST_MAX_IDENTIFIER_LENGTH: [
    int(8),
    String(DEFAULT_INGEST_LIMITS.maxIdentifierLength),
    'Longer identifiers: identifier_too_long.',
  ],
  INGEST_MAX_PAST_DAYS: [
    int(1),
    String(DEFAULT_INGEST_LIMITS.maxPastDays),
    'Events older than this (after skew correction): timestamp_out_of_window.',
  ],
  INGEST_MAX_FUTURE_MINUTES: [
    int(0),
    String(DEFAULT_INGEST_LIMITS.maxFutureMinutes),
    'Events further in the future: timestamp_out_of_window.',
  ],
  INGEST_DEDUP_WINDOW_SIZE: [int(0), '200000', 'Event ids remembered for duplicate detection.'],
  INGEST_DEDUP_WINDOW_MINUTES: [int(0), '1440', 'How long an event id is remembered.'],
  INGEST_PARTITIONS_CONCURRENTLY: [
    int(1),
    '4',
    "Raw partitions whose batches one ingest instance handles at once (1 = one batch at a time). Each raw partition has its own transactional producer, so their transactions can overlap instead of queueing behind a round over every other partition. Measured at 50 % load (docs/performance.md, sessions 15 and 16): on the partitioned topology 4 halved the ingest hop in one run; over 3-run medians both topologies moved within their noise. The default is the setting the journey's shared inserts were measured with.",
  ],
  INGEST_FETCH_MIN_BYTES: [
    int(1),
    '1000000',
    "Bytes of raw messages an ingest fetch waits for at the broker, across the instance's partitions, before it returns — for at most INGEST_FETCH_MAX_WAIT_MS (Kafka's fetch.min.bytes). Under a backlog a fetch is full at once; at low load it gathers instead of polling. 1: a fetch returns as soon as anything is there, and the ingest commits a small transaction per raw partition as fast as its rounds go. Measured at 3,000 events/s (docs/performance.md, session 20): this default with a 250 ms wait took the ingest's CPU down by a fifth and the partitioned topology's p99 down in 8 paired runs of 8, and added ~150-250 ms to the single writer's p50.",
  ],
  INGEST_FETCH_MAX_WAIT_MS: [
    int(10),
    '250',
    "The longest an ingest fetch waits at the broker for INGEST_FETCH_MIN_BYTES (fetch.max.wait.ms): with a larger min bytes, what a quiet source's events wait at most before the ingest takes them; always, what a stop or a rebalance waits at most for the fetch in flight.",
  ],
  INGEST_IDLE_SECONDS: [
    int(1),
    '30',
    "A raw partition read to its end at the broker with no new message for this long is idle: it no longer holds the journey's event-time watermark back (the others then decide it). Shorter: timers fire sooner after a quiet source stops; longer: a producer pausing mid-backlog is less likely to be overtaken.",
  ],
  INGEST_DEDUP_WARM_MESSAGES: [
    int(0),
    '10000',
    "Raw messages per partition read back below the committed offset to warm a partition's dedup window when this instance takes the partition over (after a restart, a rebalance or a failed batch), so a duplicate delivery that straddles the restart is still recognised. 0: off.",
  ],
  JUNK_IDENTIFIER_REGEX: [
    z.string().optional(),
    undefined,
    'Extra identifier values to treat as junk (regex).',
  ],
  PII_HMAC_KEY: [
    z.string().min(16),
    undefined,
    'Secret key for pseudonymising emails (HMAC-SHA-256; or PII_HMAC_KEY_FILE).',
  ],
  PII_KEEP_RAW: [bool, 'false', 'Keep raw emails in canonical events and ClickHouse.'],
  MRR_CURRENCY: [
    z
      .string()
      .regex(/^([A-Za-z]{3})?$/, 'an ISO 4217 code (e.g. usd) or empty')
      .transform((v) => v.toLowerCase()),
    '',
    "The currency MRR is reported in: each subscription is converted with MRR_EXCHANGE_RATES, and one in a currency without a rate bears no MRR. Empty: MRR in each subscription's own currency (a business that bills in one).",
  ],
  MRR_EXCHANGE_RATES: [
    z
      .string()
      .regex(
        /^\s*([A-Za-z]{3}=\d+(\.\d+)?\s*(,\s*[A-Za-z]{3}=\d+(\.\d+)?\s*)*)?$/,
        'comma-separated <currency>=<rate>, e.g. eur=1.08,gbp=1.27',
      ),
    '',
    'Value of one unit of each currency in MRR_CURRENCY, e.g. `eur=1.08,gbp=1.27,jpy=0.0067`.',
  ],
  INSTANCE_ID: [
    name,
    hostname().replace(/[^A-Za-z0-9._-]/g, '-'),
    "Stable instance name (pod name): part of the stages' Kafka client ids. Transactional ids do not depend on it (the ingest's are per raw partition, the journey's is `<JOURNEY_GROUP_ID>-writer`).",
  ],
  HTTP_PORT: [int(0), '9464', 'Port of /healthz, /readyz and /metrics.'],
  ...HTTP_EDGE_VARIABLES,
  UNSAFE_NEGATIVE_CONTROL: [
    z.enum(['none', 'dedup_off', 'commit_before_insert', 'fence_by_instance']),
    'none',
    'Fault-injection suite only (`make chaos`): breaks one guarantee on purpose (the ingest dedup window, the journey committing offsets before its ClickHouse insert, or the ingest fenced by instance instead of by partition) so the suite shows its checks catch it. Never set it anywhere else.',
  ],
  LOG_LEVEL: [
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    'info',
    'pino log level.',
  ],
} as const;

type Vars = typeof CONFIG_VARIABLES;
export type PipelineConfig = { [K in keyof Vars]: z.output<Vars[K][0]> };

/** Secrets: may come from `<NAME>_FILE`, are masked in every log line, never printed. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'KAFKA_SASL_PASSWORD',
  'SCHEMA_REGISTRY_PASSWORD',
  'CLICKHOUSE_PASSWORD',
  'PII_HMAC_KEY',
  'COLLECTOR_SEGMENT_WRITE_KEYS',
  'COLLECTOR_STRIPE_SECRETS',
  'COLLECTOR_ZENDESK_SECRETS',
  'COLLECTOR_TYPEFORM_SECRETS',
  'COLLECTOR_DELIGHTED_TOKENS',
  'EXPLORE_TOKEN',
]);

/** URL variables: the password of a `scheme://user:password@host` value is a secret too — masked
 *  in every log line, in configuration errors and by `journey config`, like SECRET_VARIABLES. */
export const URL_VARIABLES: ReadonlySet<string> = new Set(
  Object.keys(CONFIG_VARIABLES).filter((key) => key.endsWith('_URL')),
);

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** Set in place of PII_HMAC_KEY for a command that reads no email and was given none: anything
 *  that would pseudonymise with it refuses (ingest/pseudonymise-email.ts). */
export const NO_PII_KEY = '';

export function loadConfig(
  env: EnvSource = process.env,
  readFile = (p: string) => readFileSync(p, 'utf8'),
  /** piiKey false: PII_HMAC_KEY may be absent (then NO_PII_KEY); a given one is still validated. */
  options: { piiKey?: boolean } = {},
): PipelineConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, [schema, fallback]] of Object.entries(CONFIG_VARIABLES)) {
    if (key === 'PII_HMAC_KEY' && options.piiKey === false && !env[key] && !env[`${key}_FILE`]) {
      out[key] = NO_PII_KEY;
      continue;
    }
    let raw: string | undefined;
    try {
      raw = SECRET_VARIABLES.has(key) ? readSecret(env, key, readFile) : env[key];
      if (URL_VARIABLES.has(key)) registerUrlSecret(raw);
    } catch (err) {
      problems.push(`${key}_FILE: cannot read (${(err as Error).message})`);
      continue;
    }
    const value = raw === undefined || raw === '' ? fallback : raw;
    if (value === undefined && !(schema as z.ZodType).safeParse(undefined).success) {
      problems.push(`${key}: required (${CONFIG_VARIABLES[key as keyof Vars][2]})`);
      continue;
    }
    const parsed = (schema as z.ZodType).safeParse(value);
    if (parsed.success) out[key] = parsed.data;
    else
      problems.push(
        `${key}: ${parsed.error.issues.map((i) => i.message).join('; ')} (got ${SECRET_VARIABLES.has(key) ? '***' : maskSecrets(JSON.stringify(value))})`,
      );
  }
  if (out.KAFKA_SASL_MECHANISM !== 'none' && out.KAFKA_SASL_MECHANISM !== undefined) {
    if (!out.KAFKA_SASL_USERNAME)
      problems.push('KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is set');
    if (!out.KAFKA_SASL_PASSWORD)
      problems.push('KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set');
    // SASL/PLAIN sends the password as it is: over a plaintext listener anyone on the path reads it.
    if (out.KAFKA_SASL_MECHANISM === 'plain' && !out.KAFKA_SSL && !out.KAFKA_SSL_CA_FILE)
      problems.push(
        'KAFKA_SASL_MECHANISM: plain sends the password in clear; set KAFKA_SSL=true (or use scram-sha-512)',
      );
  }
  // An event the ingest accepts but the tables' TTL deletes would vanish in silence (issue #15).
  if (
    typeof out.INGEST_MAX_PAST_DAYS === 'number' &&
    typeof out.CLICKHOUSE_RETENTION_DAYS === 'number' &&
    out.INGEST_MAX_PAST_DAYS > out.CLICKHOUSE_RETENTION_DAYS
  )
    problems.push(
      `INGEST_MAX_PAST_DAYS: ${out.INGEST_MAX_PAST_DAYS} days is more than CLICKHOUSE_RETENTION_DAYS (${out.CLICKHOUSE_RETENTION_DAYS}): events that old would be accepted and then dropped by the tables' TTL; raise CLICKHOUSE_RETENTION_DAYS (then journey migrate) or lower the window`,
    );
  if (typeof out.JUNK_IDENTIFIER_REGEX === 'string') {
    try {
      new RegExp(out.JUNK_IDENTIFIER_REGEX);
    } catch {
      problems.push('JUNK_IDENTIFIER_REGEX: not a valid regular expression');
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as PipelineConfig;
}
