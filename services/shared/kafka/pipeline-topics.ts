// Every topic the pipeline reads or writes, with its partitions and cleanup policy, and the one
// way to name a whole set of them after a prefix (the demo, the benchmark and the tests each run
// on fresh topics, consumer groups and database of their own).
import type { PipelineConfig } from '../config/config.ts';
import { rawTopicMaxBytes } from './message-limits.ts';
import type { TopicSpec } from './topics.ts';

const WEEK_MS = 7 * 24 * 3600 * 1000;

/** The resolved topic's partitions (TOPIC_RESOLVED_PARTITIONS, 0 = TOPIC_PARTITIONS). */
export const resolvedPartitions = (config: PipelineConfig): number =>
  config.TOPIC_RESOLVED_PARTITIONS || config.TOPIC_PARTITIONS;

export function pipelineTopics(config: PipelineConfig): TopicSpec[] {
  const partitions = config.TOPIC_PARTITIONS;
  const resolved = resolvedPartitions(config);
  // Raw topics accept messages up to twice the ingest limit, so an oversized message arrives and is
  // dead-lettered with its reason (message_too_large) instead of being refused at produce time;
  // the DLQ holds the original bytes plus headers, so it takes a little more again.
  const rawMax = rawTopicMaxBytes(config.INGEST_MAX_MESSAGE_BYTES);
  // Time-based retention counts from the broker's append time (LogAppendTime), never from the
  // producer's clock: a backfill or replay stamped with weeks-old event times would otherwise be
  // deleted by the broker's next retention check while it is still being consumed.
  const raw = { partitions, retentionMs: WEEK_MS, maxMessageBytes: rawMax, logAppendTime: true };
  return [
    { topic: config.TOPIC_BEHAVIOR, ...raw },
    { topic: config.TOPIC_TICKETS, ...raw },
    { topic: config.TOPIC_SURVEYS, ...raw },
    { topic: config.TOPIC_BILLING, ...raw },
    {
      topic: config.TOPIC_CANONICAL,
      partitions: config.TOPIC_CANONICAL_PARTITIONS,
      retentionMs: WEEK_MS,
      maxMessageBytes: rawMax,
      logAppendTime: true,
    },
    {
      topic: config.TOPIC_DLQ,
      partitions: 1,
      retentionMs: 4 * WEEK_MS,
      maxMessageBytes: rawMax + 65_536,
      logAppendTime: true,
    },
    { topic: config.TOPIC_RESOLVED, partitions: resolved, retentionMs: WEEK_MS, logAppendTime: true },
    { topic: config.TOPIC_IDENTITY_CHANGES, partitions, retentionMs: 4 * WEEK_MS, logAppendTime: true },
    // Co-partitioned with the canonical topic: changelog partition p holds input partition p's checkpoint.
    {
      topic: config.TOPIC_IDENTITY_CHANGELOG,
      partitions: config.TOPIC_CANONICAL_PARTITIONS,
      compacted: true,
    },
    // Co-partitioned with what the journey consumes: the canonical topic, or (partitioned) the resolved one.
    {
      topic: config.TOPIC_JOURNEY_CHANGELOG,
      partitions: config.JOURNEY_TOPOLOGY === 'partitioned' ? resolved : config.TOPIC_CANONICAL_PARTITIONS,
      compacted: true,
    },
    // One writer reads the links in one order; its table is read whole by every reader.
    { topic: config.TOPIC_IDENTITY_LINKS, partitions: 1, retentionMs: 4 * WEEK_MS, logAppendTime: true },
    { topic: config.TOPIC_IDENTITY_TABLE, partitions: 1, compacted: true },
    { topic: config.TOPIC_IDENTITY_COMMANDS, partitions: 1, retentionMs: 4 * WEEK_MS, logAppendTime: true },
    { topic: config.TOPIC_CHURN_ALERTS, partitions, retentionMs: 4 * WEEK_MS, logAppendTime: true },
  ];
}

/** The raw topics' variables named after `prefix` (`<prefix>.raw.behavior`, ...). */
function rawTopicEnv(prefix: string): Record<string, string> {
  return {
    TOPIC_BEHAVIOR: `${prefix}.raw.behavior`,
    TOPIC_TICKETS: `${prefix}.raw.tickets`,
    TOPIC_SURVEYS: `${prefix}.raw.surveys`,
    TOPIC_BILLING: `${prefix}.raw.billing`,
  };
}

/** Every topic and consumer group variable named after `prefix`; the raw topics after
 *  `rawPrefix` (a benchmark's runs share one set of raw topics). */
export function prefixedTopicEnv(prefix: string, rawPrefix = prefix): Record<string, string> {
  return {
    ...rawTopicEnv(rawPrefix),
    TOPIC_CANONICAL: `${prefix}.events.canonical`,
    TOPIC_DLQ: `${prefix}.dlq`,
    TOPIC_RESOLVED: `${prefix}.events.resolved`,
    TOPIC_IDENTITY_CHANGES: `${prefix}.identity.changes`,
    TOPIC_IDENTITY_CHANGELOG: `${prefix}.identity.changelog`,
    TOPIC_JOURNEY_CHANGELOG: `${prefix}.state.changelog`,
    TOPIC_IDENTITY_COMMANDS: `${prefix}.identity.commands`,
    TOPIC_IDENTITY_LINKS: `${prefix}.identity.links`,
    TOPIC_IDENTITY_TABLE: `${prefix}.identity.table`,
    TOPIC_CHURN_ALERTS: `${prefix}.churn.alerts`,
    INGEST_GROUP_ID: `${prefix}-ingest`,
    JOURNEY_GROUP_ID: `${prefix}-journey`,
    RESOLVER_GROUP_ID: `${prefix}-resolver`,
    ROUTE_GROUP_ID: `${prefix}-route`,
  };
}
