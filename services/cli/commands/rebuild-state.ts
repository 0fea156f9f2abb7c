// `journey rebuild-state --yes`: rebuild journey state from the input still in Kafka.
import { createKafka } from '../../shared/kafka/kafka-client.ts';
import { RebuildRefused, rebuildState } from '../../tools/rebuild-state.ts';
import { pipelineTopics } from '../../shared/kafka/pipeline-topics.ts';
import type { CommandSpec } from '../command-spec.ts';

export const REBUILD_STATE: CommandSpec = {
  summary:
    'rebuild journey state from the input (--yes): every journey (and route) replica stopped; recreate the changelogs (partitioned: and the resolved topic), reset the groups to the earliest offsets',
  usage: '[--yes]',
  options: { yes: { type: 'boolean' } },
  run: async (ctx) => {
    const c = ctx.config;
    const partitioned = c.JOURNEY_TOPOLOGY === 'partitioned';
    // Partitioned, the resolved topic is derived state too: recreated with the changelogs.
    const recreated = [
      c.TOPIC_IDENTITY_CHANGELOG,
      c.TOPIC_JOURNEY_CHANGELOG,
      ...(partitioned ? [c.TOPIC_RESOLVED] : []),
    ];
    const changelogs = pipelineTopics(c).filter((spec) => recreated.includes(spec.topic));
    const inputGroup = partitioned ? c.ROUTE_GROUP_ID : c.JOURNEY_GROUP_ID;
    if (ctx.values['yes'] !== true) {
      console.error(
        [
          'journey rebuild-state --yes',
          `  deletes and recreates empty: ${changelogs.map((s) => s.topic).join(', ')}`,
          `  resets group ${inputGroup} to the earliest offsets of ${c.TOPIC_CANONICAL}, ${c.TOPIC_IDENTITY_COMMANDS}`,
          ...(partitioned ? [`  sets group ${c.JOURNEY_GROUP_ID} to the start of ${c.TOPIC_RESOLVED}`] : []),
          `Stop every ${partitioned ? 'route and journey' : 'journey'} replica first (it refuses while a group has members); the next start`,
          'replays the input still in Kafka. Nothing was changed: run again with --yes.',
        ].join('\n'),
      );
      return 2;
    }
    try {
      const summary = await rebuildState({
        kafka: createKafka(c, `${c.KAFKA_CLIENT_ID}-rebuild-state`, ctx.log),
        groupId: inputGroup,
        ...(partitioned
          ? { stateGroup: { groupId: c.JOURNEY_GROUP_ID, resolvedTopic: c.TOPIC_RESOLVED } }
          : {}),
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
};
