// `journey topics`: create the pipeline's missing topics.
import { createKafka } from '../../shared/kafka/kafka-client.ts';
import { ensureTopics } from '../../shared/kafka/topics.ts';
import { pipelineTopics } from '../../shared/kafka/pipeline-topics.ts';
import type { CommandSpec } from '../command-spec.ts';

export const TOPICS: CommandSpec = {
  summary: "create the pipeline's topics (partitions, compaction for changelogs, retention)",
  run: async (ctx) => {
    const kafka = createKafka(ctx.config, `${ctx.config.KAFKA_CLIENT_ID}-admin`, ctx.log);
    const created = await ensureTopics(kafka, pipelineTopics(ctx.config));
    ctx.log.info({ created }, created.length ? 'topics created' : 'topics already exist');
    return 0;
  },
};
