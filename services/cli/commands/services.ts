// The long-running commands: `journey all|ingest|journey|route|resolver` run stages under one lifecycle (health
// server up, stages started with state restored first, ready; SIGTERM/SIGINT -> stop within a
// bounded time: the batch in flight finishes or is abandoned uncommitted, consumers leave their
// groups), and `journey collect` runs the HTTP collector.
import { createClickHouse } from '../../shared/clickhouse/clickhouse-client.ts';
import { createKafka } from '../../shared/kafka/kafka-client.ts';
import type { RunningConsumer } from '../../shared/kafka/batch-consumer.ts';
import type { PipelineConfig } from '../../shared/config/config.ts';
import { startHealthServer } from '../../shared/telemetry/health-server.ts';
import { createMetrics } from '../../shared/telemetry/metrics.ts';
import type { PipelineMetrics } from '../../shared/telemetry/metrics.ts';
import type { Logger } from '../../shared/telemetry/logger.ts';
import { startIngestService } from '../../ingest/ingest-service.ts';
import { startJourneyService } from '../../journey/journey-service.ts';
import { startResolverService } from '../../resolver/resolver-service.ts';
import { startRouteService } from '../../journey/route-service.ts';
import { startStateService } from '../../journey/state-service.ts';
import { startCollector } from '../../collector/collector-service.ts';
import type { CommandContext, CommandSpec } from '../command-spec.ts';

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
  // Every stage stopped, committed and left its group: a handle a client left open (kafkajs#1017,
  // a reconnect during its disconnect) must not hold the process until the grace timer exits 1.
  // Name what is left, then exit 0. (One fresh-clone run in four: exit 1 about 20 s after SIGTERM.)
  setTimeout(() => {
    ctx.log.warn(
      { handles: process.getActiveResourcesInfo() },
      'handles left open after a clean stop; exiting',
    );
    process.exit(0);
  }, 1_000).unref();
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

/** The journey stage as the topology has it: the single writer, or (partitioned) the state step. */
const startJourneyStage: Starter = (config, log, metrics) =>
  config.JOURNEY_TOPOLOGY === 'partitioned'
    ? startStateService(config, log, metrics)
    : startJourneyService(config, log, metrics);

export const ALL: CommandSpec = {
  summary: 'run every stage in one process (small deployments, the local demo)',
  needsPiiKey: true,
  run: (ctx) =>
    runServices(ctx, [
      startJourneyStage,
      ...(ctx.config.JOURNEY_TOPOLOGY === 'partitioned' ? [startRouteService] : []),
      ...(ctx.config.IDENTITY_RESOLVER === 'on' ? [startResolverService] : []),
      startIngestService,
    ]),
};

export const INGEST: CommandSpec = {
  summary: 'run the ingest stage (raw topics -> canonical events, DLQ)',
  needsPiiKey: true,
  run: (ctx) => runServices(ctx, [startIngestService]),
};

export const JOURNEY: CommandSpec = {
  summary:
    'run the journey stage (single: identity graph, journey state, churn, ClickHouse writes; partitioned: the states of its resolved partitions)',
  run: (ctx) => runServices(ctx, [startJourneyStage]),
};

export const ROUTE: CommandSpec = {
  summary:
    'run the route stage (JOURNEY_TOPOLOGY=partitioned: identity graph, canonical events -> resolved events by account)',
  run: async (ctx) => {
    // Beside the single writer it would write the resolved topic the single writer also writes.
    if (ctx.config.JOURNEY_TOPOLOGY !== 'partitioned') {
      console.error(
        'journey route runs only with JOURNEY_TOPOLOGY=partitioned (the single writer resolves and routes itself)',
      );
      return 2;
    }
    return runServices(ctx, [startRouteService]);
  },
};

export const RESOLVER: CommandSpec = {
  summary:
    'run the identity resolver (link facts -> the identity table; IDENTITY_RESOLVER=on, docs/architecture.md)',
  run: (ctx) => runServices(ctx, [startResolverService]),
};

export const COLLECT: CommandSpec = {
  summary:
    'run the HTTP collector (Segment tracking API, Stripe, Zendesk, Delighted and Typeform webhooks -> raw topics; docs/collect.md)',
  run: (ctx) => runCollector(ctx),
};
