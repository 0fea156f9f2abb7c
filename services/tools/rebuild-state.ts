// rebuild-state: the "Rebuilding state" procedure of docs/operations.md as one command, for when
// the journey state must be recomputed from the input (a reducer fix, a journey map that must apply
// to history). The journey stage restores its identity graph and account state from two compacted
// changelogs and resumes after the checkpoint they hold; emptying both and moving the group back to
// the earliest input offsets makes the next start replay everything the input topics still keep.
//
// Safe by construction, in this order:
//   1. refuse while the journey group has members (a running replica would keep writing the old
//      state), or when the changelogs would not be co-partitioned with the canonical topic;
//      partitioned (JOURNEY_TOPOLOGY), the route group reads the canonical topic and the journey
//      group the resolved one: both must be empty, and the resolved topic (the old routing) is
//      recreated with the changelogs, the journey group set to its start after step 4;
//   2. reset the group's offsets on the canonical and identity-commands topics to the earliest
//      (the broker itself refuses this for a group with members);
//   3. read the GDPR deletion tombstones from the identity changelog (hashes, never identifiers):
//      they are what keeps a deleted person from coming back when old events are replayed, and a
//      delete command replayed before the person's events reappear finds no one to delete;
//   4. delete both changelog topics, wait until they are gone, recreate them empty from the
//      project's topic specs and wait until they are there, empty, with the right partitions;
//   5. write the tombstones back into the new identity changelog (acks=all).
// Interrupted after 2, a start finds the old checkpoint and skips what it already holds (nothing is
// rebuilt, nothing is lost); interrupted during 4, the stage cannot start (a changelog is missing)
// until the command is run again. Running it again is safe, except that tombstones read in a run
// interrupted between 4 and 5 are gone: the log line "deletion tombstones read" counts them, and
// those persons must be deleted again (`journey identity delete`) after the rebuild.
import type { Kafka } from 'kafkajs';
import { decodeChangelogRecord, encodeChangelogRecord } from '../identity/identity-core.ts';
import { createOutputProducer } from '../shared/kafka/producer.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import { readChangelog } from '../shared/kafka/read-changelog.ts';
import { ensureTopics } from '../shared/kafka/topics.ts';
import type { TopicSpec } from '../shared/kafka/topics.ts';
import type { Logger } from '../shared/telemetry/logger.ts';

export interface RebuildStateOptions {
  kafka: Kafka;
  /** The group reading the canonical topic: JOURNEY_GROUP_ID, or ROUTE_GROUP_ID when partitioned. */
  groupId: string;
  canonicalTopic: string;
  /** Operator commands (GDPR deletes, merges, splits): replayed with the events. */
  commandsTopic: string;
  /** TOPIC_IDENTITY_CHANGELOG: its deletion tombstones are kept. */
  identityChangelog: string;
  /** The identity and journey changelogs (partitioned: and the resolved topic), as `journey topics`
   *  creates them. Single: each must have the canonical topic's partitions. */
  changelogs: readonly TopicSpec[];
  /** JOURNEY_TOPOLOGY=partitioned: the state step's group (JOURNEY_GROUP_ID), stopped as well, and
   *  the resolved topic it reads (one of `changelogs`): recreated empty, the group set to its start.
   *  The journey changelog follows the resolved topic's partitions, as `journey topics` makes them. */
  stateGroup?: { groupId: string; resolvedTopic: string };
  log: Logger;
  timeoutMs?: number;
}

export interface RebuildSummary {
  groupId: string;
  /** Partitioned: the state step's group, set to the start of the recreated resolved topic. */
  stateGroupId?: string;
  /** topic -> the offset per partition the group restarts from */
  reset: Record<string, Record<string, string>>;
  recreated: string[];
  /** GDPR deletion tombstones carried into the new identity changelog. */
  tombstonesKept: number;
}

/** The cluster is not in a state where a rebuild is safe; nothing was changed. */
export class RebuildRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RebuildRefused';
  }
}

type Admin = ReturnType<Kafka['admin']>;

async function assertGroupIdle(admin: Admin, groupId: string): Promise<void> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups.find((g) => g.groupId === groupId);
  if (!group || group.members.length === 0) return;
  const members = group.members.map((m) => `${m.clientId}@${m.clientHost}`).join(', ');
  throw new RebuildRefused(
    `consumer group ${groupId} has ${group.members.length} active member(s) (${members}, state ${group.state}): stop every journey replica first (a replica killed without leaving stays a member until its session times out)`,
  );
}

async function until<T>(what: string, deadline: number, probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`rebuild-state: timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Moves the group to the earliest offset of every partition of `topic` and returns those offsets.
 *  Partitions already there (committed at the earliest offset, or empty with nothing committed) are
 *  left alone, and the group too when every one is (an empty commands topic): kafkajs's setOffsets
 *  joins the group as a consumer and waits for a fetch, which on a partition with nothing to read
 *  lasts a whole long-poll (5 s). */
async function resetToEarliest(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Record<string, string>> {
  // The real earliest offsets (kafkajs's resetOffsets commits the symbolic -2, which only a
  // consumer configured to start from the beginning reads as "earliest").
  const offsets = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, p.offset]));
  const partitions = offsets
    .filter((p) => {
      const offset = at.get(p.partition) ?? '-1';
      return offset === '-1' ? p.low !== p.high : offset !== p.low;
    })
    .map((p) => ({ partition: p.partition, offset: p.low }));
  if (partitions.length > 0) await admin.setOffsets({ groupId, topic, partitions });
  return Object.fromEntries(offsets.map((p) => [String(p.partition), p.low]));
}

/** True when every changelog exists with its spec's partitions, each empty. */
async function changelogsReady(admin: Admin, specs: readonly TopicSpec[]): Promise<boolean> {
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
    for (const spec of specs) {
      if (topics.find((t) => t.name === spec.topic)?.partitions.length !== spec.partitions) return false;
      const offsets = await admin.fetchTopicOffsets(spec.topic);
      if (offsets.some((p) => p.high !== '0')) return false;
    }
    return true;
  } catch {
    return false; // still being created (unknown topic, no leader yet)
  }
}

/** The latest tombstone record per key, addressed to partition 0 (identity records are global to
 *  the graph; the journey stage writes them there too). */
async function readTombstones(kafka: Kafka, topic: string): Promise<OutboundMessage[]> {
  const latest = new Map<string, OutboundMessage>();
  await readChangelog(kafka, topic, (entry) => {
    const value = entry.value === null ? null : entry.value.toString('utf8');
    const decoded = decodeChangelogRecord({ key: entry.key, value });
    if (decoded.kind !== 'ok' || decoded.record.kind !== 'tombstone') {
      latest.delete(entry.key); // a later record (a null) for the same key replaces it
      return;
    }
    const { key, value: encoded } = encodeChangelogRecord(decoded.record);
    latest.set(key, { topic, key, value: encoded, partition: 0 });
  });
  return [...latest.values()];
}

export async function rebuildState(options: RebuildStateOptions): Promise<RebuildSummary> {
  const { kafka, groupId, canonicalTopic, commandsTopic, identityChangelog, changelogs, stateGroup, log } =
    options;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const names = changelogs.map((s) => s.topic);
  const groups = [groupId, ...(stateGroup ? [stateGroup.groupId] : [])];
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const group of groups) await assertGroupIdle(admin, group);
    const existing = new Set(await admin.listTopics());
    for (const input of [canonicalTopic, commandsTopic])
      if (!existing.has(input)) throw new RebuildRefused(`input topic ${input} does not exist`);
    const { topics } = await admin.fetchTopicMetadata({ topics: [canonicalTopic] });
    const canonicalPartitions = topics[0]?.partitions.length ?? 0;
    // Partitioned, only the identity changelog follows the canonical topic.
    for (const spec of changelogs.filter((c) => !stateGroup || c.topic === identityChangelog)) {
      if (spec.partitions !== canonicalPartitions)
        throw new RebuildRefused(
          `${spec.topic} would have ${spec.partitions} partition(s) but ${canonicalTopic} has ${canonicalPartitions}: the changelogs are co-partitioned with the canonical topic (set TOPIC_CANONICAL_PARTITIONS=${canonicalPartitions})`,
        );
    }

    const reset: RebuildSummary['reset'] = {};
    for (const topic of [canonicalTopic, commandsTopic])
      reset[topic] = await resetToEarliest(admin, groupId, topic);
    log.info({ groupId, reset }, 'journey group reset to the earliest input offsets');

    // A replica started meanwhile restored the old changelogs; deleting them under it would leave
    // it writing to topics that vanish. The reset alone is harmless (see the header).
    const tombstones = existing.has(identityChangelog) ? await readTombstones(kafka, identityChangelog) : [];
    log.info({ tombstones: tombstones.length }, 'deletion tombstones read');

    for (const group of groups)
      await assertGroupIdle(admin, group).catch((err: unknown) => {
        throw new Error(
          `${(err as Error).message}. The offsets were reset, the changelogs not deleted: stop it and run again`,
        );
      });
    const present = names.filter((topic) => existing.has(topic));
    if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 30_000 });
    await until('the old changelogs are deleted', deadline, async () => {
      const left = new Set(await admin.listTopics());
      return names.some((topic) => left.has(topic)) ? undefined : true;
    });
    log.info({ deleted: present }, 'changelogs deleted');

    // Creation can race the tail of a deletion (a topic reported gone, then "already exists"):
    // create what is missing until every changelog is there, empty, with its partitions.
    await until('the changelogs are recreated', deadline, async () => {
      try {
        await ensureTopics(kafka, changelogs);
      } catch (err) {
        log.debug({ err }, 'changelog creation not accepted yet; retrying');
        return undefined;
      }
      return (await changelogsReady(admin, changelogs)) ? true : undefined;
    });
    log.info({ created: names }, 'changelogs recreated empty');
    if (stateGroup) {
      // The group's offsets on the deleted topic may outlive it: the state step starts at 0.
      const { groupId: state, resolvedTopic } = stateGroup;
      reset[resolvedTopic] = await resetToEarliest(admin, state, resolvedTopic);
      log.info(
        { groupId: state, topic: resolvedTopic },
        'state group set to the start of the resolved topic',
      );
    }

    const producer = await createOutputProducer(kafka);
    try {
      await producer.send(tombstones);
    } finally {
      await producer.disconnect();
    }
    return {
      groupId,
      ...(stateGroup ? { stateGroupId: stateGroup.groupId } : {}),
      reset,
      recreated: names,
      tombstonesKept: tombstones.length,
    };
  } finally {
    await admin.disconnect();
  }
}
