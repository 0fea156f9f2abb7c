// The CLI's commands, by name. Long-running services share one lifecycle: health server up,
// services started (state restored first), ready; SIGTERM/SIGINT -> stop within a bounded time
// (the batch in flight finishes or is abandoned uncommitted; consumers leave their groups).
import { writeFileSync } from 'node:fs';
import type { CommandContext } from './main.ts';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import { ensureTopics } from '../shared/kafka/topics.ts';
import { startHealthServer } from '../shared/telemetry/health-server.ts';
import { createMetrics } from '../shared/telemetry/metrics.ts';
import type { PipelineMetrics } from '../shared/telemetry/metrics.ts';
import type { PipelineConfig } from '../shared/config/config.ts';
import { printableConfig } from '../shared/config/printable-config.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import type { RunningConsumer } from '../shared/kafka/batch-consumer.ts';
import { startIngestService } from '../ingest/ingest-service.ts';
import { journeyContextFrom, startJourneyService } from '../journey/journey-service.ts';
import { loadJourneyMap } from '../journey/journey-map.ts';
import { migrate, migrationStatus } from '../sink/migrate.ts';
import { replayDeadLetters } from '../tools/replay-dlq.ts';
import { RebuildRefused, rebuildState } from '../tools/rebuild-state.ts';
import {
  fitAndEvaluate,
  fittedModelYaml,
  formatChurnReport,
  loadChurnSamples,
} from '../tools/churn-model.ts';
import { compareWithBaselines, formatBaselineTable } from '../tools/churn-baseline-report.ts';
import { BACKFILL_SOURCES, runBackfill } from '../tools/backfill.ts';
import type { InputSource } from '../ingest/ingest-config.ts';
import { pipelineTopics } from './pipeline-topics.ts';
import { runDemo } from './demo.ts';
import { formatTable } from './terminal-table.ts';
import { IDENTITY_COMMAND } from './identity-command.ts';
import { startCollector } from '../collector/collector-service.ts';

export interface CommandSpec {
  summary: string;
  run(ctx: CommandContext): Promise<number>;
}

type Starter = (config: PipelineConfig, log: Logger, metrics: PipelineMetrics) => Promise<RunningConsumer>;

const SHUTDOWN_GRACE_MS = 20_000;

async function reachable(config: PipelineConfig): Promise<Record<string, string>> {
  const detail: Record<string, string> = {};
  const clickhouse = createClickHouse(config, { database: null });
  try {
    detail.clickhouse = (await clickhouse.ping()).success ? 'ok' : 'unreachable';
  } finally {
    await clickhouse.close();
  }
  const admin = createKafka(config, `${config.KAFKA_CLIENT_ID}-ready`).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    detail.kafka = 'ok';
  } catch {
    detail.kafka = 'unreachable';
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return detail;
}

async function runServices(ctx: CommandContext, starters: Starter[]): Promise<number> {
  const metrics = createMetrics();
  let restored = false;
  // Signals are handled from the first moment: a SIGTERM while the stages are still starting
  // (restoring state, joining groups) stops them cleanly once started, instead of killing the
  // process with the default handler.
  let signalled: string | null = null;
  let onSignal: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (onSignal = resolve));
  const handle = (signal: string): void => {
    signalled = signal;
    onSignal();
  };
  process.once('SIGTERM', () => handle('SIGTERM'));
  process.once('SIGINT', () => handle('SIGINT'));
  const services: RunningConsumer[] = [];
  const health = await startHealthServer(ctx.config.HTTP_PORT, metrics.registry, async () => {
    // Ready only while every stage makes progress: a partition whose batch keeps failing (e.g.
    // ClickHouse refusing) or whose offsets were lost turns this 503 with the reason.
    const blocked = services.flatMap((s) => s.problems());
    const detail: Record<string, string> = {
      ...(await reachable(ctx.config)),
      state: restored ? 'restored' : 'restoring',
      ...(blocked.length > 0 ? { blocked: blocked.join('; ') } : {}),
    };
    const ready = restored && blocked.length === 0 && detail.kafka === 'ok' && detail.clickhouse === 'ok';
    return { ready, detail };
  });
  try {
    for (const start of starters) {
      if (signalled) break;
      services.push(await start(ctx.config, ctx.log, metrics));
    }
    await Promise.race([Promise.all(services.map((s) => s.joined)), stopRequested]);
  } catch (err) {
    // A stage that cannot start (bad credentials, untrusted CA) must end the process, not leave a
    // live health server that never becomes ready: stop what started, close, and fail.
    await Promise.allSettled(services.map((s) => s.stop()));
    health.close();
    throw err;
  }
  if (!signalled) {
    restored = true;
    ctx.log.info({ port: ctx.config.HTTP_PORT }, 'running');
  }
  await stopRequested;
  ctx.log.info({ signal: signalled }, 'shutting down');
  restored = false;
  setTimeout(() => {
    ctx.log.error('shutdown grace period exceeded; exiting without committing');
    process.exit(1);
  }, SHUTDOWN_GRACE_MS).unref();
  await Promise.allSettled(services.map((s) => s.stop()));
  health.close();
  return 0;
}

/** `journey collect` until SIGTERM/SIGINT: requests in flight are answered, then the producer closes. */
async function runCollector(ctx: CommandContext): Promise<number> {
  let onSignal: (signal: string) => void = () => undefined;
  const signalled = new Promise<string>((resolve) => (onSignal = resolve));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  const collector = await startCollector(ctx.config, ctx.log);
  ctx.log.info({ signal: await signalled }, 'shutting down');
  setTimeout(() => {
    ctx.log.error('shutdown grace period exceeded');
    process.exit(1);
  }, SHUTDOWN_GRACE_MS).unref();
  await collector.close();
  return 0;
}

const flag = (args: string[], name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

export const COMMANDS: Record<string, CommandSpec> = {
  all: {
    summary: 'run every stage in one process (small deployments, the local demo)',
    run: (ctx) => runServices(ctx, [startJourneyService, startIngestService]),
  },
  ingest: {
    summary: 'run the ingest stage (raw topics -> canonical events, DLQ)',
    run: (ctx) => runServices(ctx, [startIngestService]),
  },
  journey: {
    summary: 'run the journey stage (identity graph, journey state, churn, ClickHouse writes)',
    run: (ctx) => runServices(ctx, [startJourneyService]),
  },
  collect: {
    summary:
      'run the HTTP collector (Segment tracking API, Stripe, Zendesk, Delighted and Typeform webhooks -> raw topics; docs/collect.md)',
    run: (ctx) => runCollector(ctx),
  },
  topics: {
    summary: "create the pipeline's topics (partitions, compaction for changelogs, retention)",
    run: async (ctx) => {
      const kafka = createKafka(ctx.config, `${ctx.config.KAFKA_CLIENT_ID}-admin`, ctx.log);
      const created = await ensureTopics(kafka, pipelineTopics(ctx.config));
      ctx.log.info({ created }, created.length ? 'topics created' : 'topics already exist');
      return 0;
    },
  },
  migrate: {
    summary:
      'apply ClickHouse migrations (idempotent; ON CLUSTER with CLICKHOUSE_CLUSTER); `migrate status` lists them (exit 1 if any is pending or changed)',
    run: async (ctx) => {
      const client = createClickHouse(ctx.config, { database: null });
      const options = {
        database: ctx.config.CLICKHOUSE_DATABASE,
        cluster: ctx.config.CLICKHOUSE_CLUSTER ?? null,
        retentionDays: ctx.config.CLICKHOUSE_RETENTION_DAYS,
      };
      try {
        if (ctx.args[0] === 'status') {
          const states = await migrationStatus(client, options);
          console.log(
            formatTable(
              `ClickHouse migrations in ${options.database}`,
              states.map((m) => ({
                version: m.version,
                name: m.name,
                state: m.state,
                applied_at: m.appliedAt ?? '',
              })),
            ),
          );
          return states.every((m) => m.state === 'applied') ? 0 : 1;
        }
        const applied = await migrate(client, options);
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date');
      } finally {
        await client.close();
      }
      return 0;
    },
  },
  'validate-journey': {
    summary: 'validate the journey map and churn config (exit 2 with file:line: field errors)',
    run: async (ctx) => {
      try {
        journeyContextFrom(ctx.config);
        const map = loadJourneyMap(ctx.config.JOURNEY_MAP_FILE);
        console.log(
          `${ctx.config.JOURNEY_MAP_FILE}: ${map.name} v${map.version}, stages ${map.stages.map((s) => s.id).join(' -> ')}`,
        );
        return 0;
      } catch (err) {
        console.error((err as Error).message);
        return 2;
      }
    },
  },
  backfill: {
    summary:
      'backfill <behavior|tickets|surveys|billing> <file.ndjson> [--dry-run] [--allow-dead-letters]: import history into a raw topic, checked by the ingest, in event-time order',
    run: async (ctx) => {
      const [source, file] = ctx.args.filter((a) => !a.startsWith('--'));
      if (!BACKFILL_SOURCES.includes(source as InputSource) || file === undefined) {
        console.error(
          'usage: journey backfill <behavior|tickets|surveys|billing> <file.ndjson> [--dry-run] [--allow-dead-letters]',
        );
        return 2;
      }
      return runBackfill(
        ctx.config,
        source as InputSource,
        file,
        {
          dryRun: ctx.args.includes('--dry-run'),
          allowDeadLetters: ctx.args.includes('--allow-dead-letters'),
        },
        (line) => console.log(line),
      );
    },
  },
  'replay-dlq': {
    summary:
      're-feed dead-lettered records to their source topics (--reason R to filter; --dry-run counts them by reason, sends nothing; --group G, default <INGEST_GROUP_ID>-dlq-replay)',
    run: async (ctx) => {
      const reasons = ctx.args.flatMap((arg, i) =>
        arg === '--reason' && ctx.args[i + 1] ? [ctx.args[i + 1] as string] : [],
      );
      const summary = await replayDeadLetters({
        kafka: createKafka(ctx.config, `${ctx.config.KAFKA_CLIENT_ID}-replay`, ctx.log),
        dlqTopic: ctx.config.TOPIC_DLQ,
        groupId: flag(ctx.args, '--group') ?? `${ctx.config.INGEST_GROUP_ID}-dlq-replay`,
        ...(reasons.length ? { reasons: new Set(reasons) } : {}),
        dryRun: ctx.args.includes('--dry-run'),
        log: ctx.log,
      });
      console.log(JSON.stringify(summary));
      return 0;
    },
  },
  'rebuild-state': {
    summary:
      'rebuild journey state from the input (--yes): every journey replica stopped; recreate the changelogs, reset the journey group to the earliest offsets',
    run: async (ctx) => {
      const c = ctx.config;
      const changelogs = pipelineTopics(c).filter(
        (spec) => spec.topic === c.TOPIC_IDENTITY_CHANGELOG || spec.topic === c.TOPIC_JOURNEY_CHANGELOG,
      );
      if (!ctx.args.includes('--yes')) {
        console.error(
          [
            'journey rebuild-state --yes',
            `  deletes and recreates empty: ${changelogs.map((s) => s.topic).join(', ')}`,
            `  resets group ${c.JOURNEY_GROUP_ID} to the earliest offsets of ${c.TOPIC_CANONICAL}, ${c.TOPIC_IDENTITY_COMMANDS}`,
            'Stop every journey replica first (it refuses while the group has members); the next start',
            'replays the input still in Kafka. Nothing was changed: run again with --yes.',
          ].join('\n'),
        );
        return 2;
      }
      try {
        const summary = await rebuildState({
          kafka: createKafka(c, `${c.KAFKA_CLIENT_ID}-rebuild-state`, ctx.log),
          groupId: c.JOURNEY_GROUP_ID,
          canonicalTopic: c.TOPIC_CANONICAL,
          commandsTopic: c.TOPIC_IDENTITY_COMMANDS,
          identityChangelog: c.TOPIC_IDENTITY_CHANGELOG,
          changelogs,
          log: ctx.log,
        });
        console.log(JSON.stringify(summary));
        return 0;
      } catch (err) {
        if (!(err instanceof RebuildRefused)) throw err;
        console.error(`refused: ${err.message}; nothing was changed`);
        return 1;
      }
    },
  },
  identity: IDENTITY_COMMAND,
  churn: {
    summary:
      'churn fit | churn evaluate [--baselines] [--horizon-days 28] [--step-days 7] [--out FILE]: fit weights / report AUC on ClickHouse history (with --baselines: against every single-signal ranking)',
    run: async (ctx) => {
      const mode = ctx.args[0];
      if (mode !== 'fit' && mode !== 'evaluate') {
        console.error(
          'usage: journey churn fit|evaluate [--baselines] [--horizon-days 28] [--step-days 7] [--out config/churn.fitted.yaml]',
        );
        return 2;
      }
      const client = createClickHouse(ctx.config, { database: null });
      try {
        const samples = await loadChurnSamples(client, ctx.config.CLICKHOUSE_DATABASE, {
          horizonDays: Number(flag(ctx.args, '--horizon-days') ?? 28),
          stepDays: Number(flag(ctx.args, '--step-days') ?? 7),
        });
        const churnConfig = journeyContextFrom(ctx.config).churn;
        const report = fitAndEvaluate(samples, churnConfig);
        console.log(formatChurnReport(report));
        if (ctx.args.includes('--baselines')) {
          const comparison = compareWithBaselines(samples, churnConfig);
          console.log(
            `\nagainst single-signal baselines, mean held-out AUC over ${comparison.splits} account splits:`,
          );
          console.log(formatBaselineTable([{ name: ctx.config.CLICKHOUSE_DATABASE, comparison }]));
        }
        const out = flag(ctx.args, '--out');
        if (mode === 'fit' && out) {
          writeFileSync(out, fittedModelYaml(report.fitted));
          console.log(
            `fitted model written to ${out} (merge its model: block into ${ctx.config.CHURN_CONFIG_FILE})`,
          );
        }
      } finally {
        await client.close();
      }
      return 0;
    },
  },
  demo: {
    summary: 'the main job: topics, migrations, every stage, a synthetic workload, and the journey report',
    run: (ctx) => runDemo(ctx),
  },
  config: {
    summary: 'validate the configuration and print it (secrets masked)',
    run: async (ctx) => {
      console.log(JSON.stringify(printableConfig(ctx.config), null, 2));
      return 0;
    },
  },
};
