// Fresh names per benchmark invocation and per run: the raw topics are shared by every consumer of
// one invocation (B0, B1, ours drain the same bytes); each pipeline run gets its own canonical and
// output topics, consumer groups and ClickHouse database. Everything else (brokers, registry,
// ClickHouse URL, credentials, partitions) comes from the environment, so pointing the benchmark
// at a real cluster is a matter of KAFKA_BROKERS / SCHEMA_REGISTRY_URL / CLICKHOUSE_URL.
import { loadConfig } from '../shared/config/config.ts';
import type { PipelineConfig } from '../shared/config/config.ts';
import { prefixedTopicEnv } from '../shared/kafka/pipeline-topics.ts';

export type BenchEnv = Record<string, string | undefined>;

/** A local-only key unless PII_HMAC_KEY is set (as `make demo`). */
const BENCH_PII_KEY = 'local-bench-only-pii-key-not-a-secret';

/** Environment of one run: the given raw topics, everything downstream named after `runPrefix`. */
export function runEnv(base: BenchEnv, rawPrefix: string, runPrefix: string): BenchEnv {
  return {
    ...base,
    PII_HMAC_KEY: base.PII_HMAC_KEY ?? BENCH_PII_KEY,
    LOG_LEVEL: base.BENCH_LOG_LEVEL ?? 'warn',
    ...prefixedTopicEnv(runPrefix, rawPrefix),
    CLICKHOUSE_DATABASE: runPrefix.replace(/[^A-Za-z0-9_]/g, '_'),
    // A wall-clock tick would sweep every account mid-measurement; the benchmark replays history.
    JOURNEY_IDLE_TICK_SECONDS: '0',
    // "ours" is the single writer (its worker runs the journey service); `--partitioned N` drains
    // the partitioned topology (the default elsewhere) with its own env beside it.
    JOURNEY_TOPOLOGY: 'single',
  };
}

export function runConfig(env: BenchEnv): PipelineConfig {
  return loadConfig(env);
}
