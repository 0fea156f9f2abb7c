// The CLI's commands, by name. Long-running services share one lifecycle: health server up,
// service started, SIGTERM/SIGINT -> stop within a bounded time (leave the group, commit nothing
// unfinished), then exit.
import type { CommandContext } from './main.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import { ensureTopics } from '../shared/kafka/topics.ts';
import { startHealthServer } from '../shared/telemetry/health-server.ts';
import { createMetrics } from '../shared/telemetry/metrics.ts';
import { startIngestService } from '../ingest/ingest-service.ts';
import { replayDeadLetters } from '../tools/replay-dlq.ts';
import { pipelineTopics } from './pipeline-topics.ts';

export interface CommandSpec {
  summary: string;
  run(ctx: CommandContext): Promise<number>;
}

const SHUTDOWN_GRACE_MS = 20_000;

async function runService(ctx: CommandContext, start: typeof startIngestService): Promise<number> {
  const metrics = createMetrics();
  let ready = false;
  const health = await startHealthServer(ctx.config.HTTP_PORT, metrics.registry, async () => ({
    ready,
    detail: { state: ready ? 'running' : 'starting' },
  }));
  const service = await start(ctx.config, ctx.log, metrics);
  await service.joined;
  ready = true;
  ctx.log.info({ port: ctx.config.HTTP_PORT }, 'service running');
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      ctx.log.info({ signal }, 'shutting down');
      ready = false;
      const timer = setTimeout(() => {
        ctx.log.error('shutdown grace period exceeded; exiting without committing');
        process.exit(1);
      }, SHUTDOWN_GRACE_MS);
      timer.unref();
      service.stop().finally(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  health.close();
  return 0;
}

export const COMMANDS: Record<string, CommandSpec> = {
  ingest: {
    summary: 'run the ingest stage (raw topics -> canonical events, DLQ)',
    run: (ctx) => runService(ctx, startIngestService),
  },
  topics: {
    summary: "create the pipeline's topics",
    run: async (ctx) => {
      const created = await ensureTopics(
        createKafka(ctx.config, `${ctx.config.KAFKA_CLIENT_ID}-admin`, ctx.log),
        pipelineTopics(ctx.config),
      );
      ctx.log.info({ created }, created.length ? 'topics created' : 'topics already exist');
      return 0;
    },
  },
  'replay-dlq': {
    summary: 're-feed dead-lettered records to their source topics (--reason R to filter)',
    run: async (ctx) => {
      const reasons = ctx.args.flatMap((arg, i) =>
        arg === '--reason' && ctx.args[i + 1] ? [ctx.args[i + 1] as string] : [],
      );
      const summary = await replayDeadLetters({
        kafka: createKafka(ctx.config, `${ctx.config.KAFKA_CLIENT_ID}-replay`, ctx.log),
        dlqTopic: ctx.config.TOPIC_DLQ,
        groupId: `${ctx.config.INGEST_GROUP_ID}-dlq-replay`,
        ...(reasons.length ? { reasons: new Set(reasons) } : {}),
        log: ctx.log,
      });
      console.log(JSON.stringify(summary));
      return 0;
    },
  },
  config: {
    summary: 'validate the configuration and print it (secrets masked)',
    run: async (ctx) => {
      const masked = Object.fromEntries(
        Object.entries(ctx.config).map(([k, v]) => [k, /PASSWORD|KEY$/.test(k) && v ? '***' : v]),
      );
      console.log(JSON.stringify(masked, null, 2));
      return 0;
    },
  },
};
