// The identity graph rebuilt from a compacted topic of identity changelog records: the journey
// stage's own changelog, or the resolver's table (the same records, services/identity/
// identity-changelog-record.ts). Records of a format this build cannot read are counted, not fatal.
import type { PipelineConfig } from '../shared/config/config.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import { readChangelog } from '../shared/kafka/read-changelog.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import {
  applyChangelogRecord,
  completeRestore,
  createIdentityGraph,
  decodeChangelogRecord,
} from '../identity/identity-core.ts';
import type { IdentityGraph } from '../identity/identity-core.ts';

export async function restoreIdentity(
  config: PipelineConfig,
  log: Logger,
  topic: string = config.TOPIC_IDENTITY_CHANGELOG,
  /** The partitioned journey's routed person keys, kept beside the graph (route-resolved.ts). */
  onRouted?: (personId: string, routed: boolean) => void,
): Promise<IdentityGraph> {
  const kafka = createKafka(config, `${config.KAFKA_CLIENT_ID}-restore`, log);
  let graph = createIdentityGraph();
  let invalid = 0;
  const applied = await readChangelog(kafka, topic, (entry) => {
    const decoded = decodeChangelogRecord({
      key: entry.key,
      value: entry.value === null ? null : entry.value.toString('utf8'),
    });
    if (decoded.kind !== 'ok') invalid++;
    else if (decoded.record.kind === 'routed') onRouted?.(decoded.record.person_id, decoded.record.routed);
    else graph = applyChangelogRecord(graph, decoded.record);
  });
  graph = completeRestore(graph);
  log.info(
    { topic, applied, invalid, checkpoints: Object.fromEntries(graph.checkpoints) },
    'identity graph restored',
  );
  return graph;
}
