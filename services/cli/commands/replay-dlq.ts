// `journey replay-dlq`: re-feed dead-lettered records to their source topics.
import { createKafka } from '../../shared/kafka/kafka-client.ts';
import { replayDeadLetters } from '../../tools/replay-dlq.ts';
import { stringOption } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';

export const REPLAY_DLQ: CommandSpec = {
  summary:
    're-feed dead-lettered records to their source topics (--reason R to filter; --dry-run counts them by reason, sends nothing; --group G, default <INGEST_GROUP_ID>-dlq-replay)',
  usage: '[--reason R ...] [--dry-run] [--group G]',
  options: {
    reason: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
    group: { type: 'string' },
  },
  run: async (ctx) => {
    const reasons = (ctx.values['reason'] as string[] | undefined) ?? [];
    const summary = await replayDeadLetters({
      kafka: createKafka(ctx.config, `${ctx.config.KAFKA_CLIENT_ID}-replay`, ctx.log),
      dlqTopic: ctx.config.TOPIC_DLQ,
      groupId: stringOption(ctx.values, 'group') ?? `${ctx.config.INGEST_GROUP_ID}-dlq-replay`,
      ...(reasons.length ? { reasons: new Set(reasons) } : {}),
      dryRun: ctx.values['dry-run'] === true,
      log: ctx.log,
    });
    console.log(JSON.stringify(summary));
    return 0;
  },
};
