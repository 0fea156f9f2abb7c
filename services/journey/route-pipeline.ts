// The resolve step of the partitioned journey (docs/architecture.md, steps 2 and 4), top to bottom:
//   canonical event -> decode -> resolve identity (the one graph, as the single-writer journey
//   does) -> route: the event to its key's resolved partition, the folds as move/expect records
//   (route-resolved.ts) | watermark marker -> forwarded to every resolved partition
//   -> identity rows, changes and changelog (with the routed person keys), the checkpoint last.
// Pure: the shell writes what this returns and the ClickHouse identity rows before committing.
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { internalError } from '../shared/bulkhead.ts';
import { deadLetterMessage } from '../shared/kafka/dead-letter.ts';
import { decodeWatermarkMarker, isWatermarkMarker } from '../shared/kafka/watermark-marker.ts';
import {
  checkpointRecord,
  deletePerson,
  encodeChangelogRecord,
  forceMerge,
  splitIdentifier,
} from '../identity/identity-core.ts';
import { personErasureOf } from '../identity/person-erasure.ts';
import type { PersonErasure } from '../identity/person-erasure.ts';
import { parseIdentityCommand } from './apply-identity-command-step.ts';
import type { IdentityConfig, IdentityGraph } from '../identity/identity-core.ts';
import { decodeCanonicalStep } from './decode-canonical-step.ts';
import { emptyBatchResult } from './journey-outputs.ts';
import { resolveEventStep } from './journey-pipeline.ts';
import type { JourneyBatchResult, JourneyTopology } from './journey-pipeline.ts';
import { encodeResolvedRecord } from './resolved-record-codec.ts';
import type { ResolvedCodec } from './resolved-record-codec.ts';
import { routeCommand, routeResolved } from './route-resolved.ts';
import type { RouteState } from './route-resolved.ts';

export interface RouteTopology extends Pick<
  JourneyTopology,
  'identityChangelogTopic' | 'identityChangesTopic' | 'dlqTopic' | 'eventType' | 'canonicalWriters'
> {
  resolved: ResolvedCodec;
}

export interface RouteStageState {
  graph: IdentityGraph;
  route: RouteState;
}

export function processRouteBatch(
  messages: readonly ConsumedMessage[],
  state: RouteStageState,
  topology: RouteTopology,
  identityConfig: IdentityConfig,
  nowMs: number,
): JourneyBatchResult {
  const result = emptyBatchResult();
  const count = (key: string): void => void result.counts.set(key, (result.counts.get(key) ?? 0) + 1);
  const first = messages[0];
  if (!first) return result;
  const checkpoint = state.graph.checkpoints.get(first.partition);
  const deadLetter = (message: ConsumedMessage, reason: string, detail: string, step: string): void => {
    result.messages.push(
      deadLetterMessage(topology.dlqTopic, message, { reason: reason as never, detail, step }, nowMs),
    );
    count(`dlq:${reason}`);
  };
  for (const message of messages) {
    if (checkpoint !== undefined && BigInt(message.offset) <= BigInt(checkpoint)) {
      count('drop:already_processed');
      continue;
    }
    try {
      if (isWatermarkMarker(message.headers)) {
        const marker = decodeWatermarkMarker(message.value);
        if (marker === null) {
          count('drop:unreadable_marker');
          continue;
        }
        result.messages.push(
          ...encodeResolvedRecord(topology.resolved, { kind: 'marker', origin: message.partition, marker }),
        );
        count('marker');
        continue;
      }
      const decoded = decodeCanonicalStep(message.value, topology.eventType, topology.canonicalWriters);
      if (decoded.kind !== 'ok') {
        if (decoded.kind === 'dlq')
          deadLetter(message, decoded.reason, decoded.detail, 'decodeCanonicalStep');
        continue;
      }
      const resolved = resolveEventStep(
        decoded.value,
        message.partition,
        state.graph,
        topology,
        identityConfig,
        result,
      );
      if (resolved === null) continue;
      for (const record of routeResolved(state.route, resolved.event, resolved.effects))
        result.messages.push(...encodeResolvedRecord(topology.resolved, record));
      count('ok');
    } catch (err) {
      const failed = internalError(err);
      deadLetter(message, failed.reason, failed.detail, 'processRouteBatch');
    }
  }
  const last = messages[messages.length - 1]!;
  for (const person of [...state.route.changed].sort()) {
    const routed = state.route.personKeyed.has(person);
    result.changelog.push({
      topic: topology.identityChangelogTopic,
      ...encodeChangelogRecord({ kind: 'routed', person_id: person, routed }),
      partition: last.partition,
    });
  }
  state.route.changed.clear();
  state.graph.checkpoints.set(last.partition, last.offset);
  result.checkpoint.push({
    topic: topology.identityChangelogTopic,
    ...encodeChangelogRecord(checkpointRecord(last.partition, last.offset)),
    partition: last.partition,
  });
  return result;
}

export interface RouteCommandResult extends JourneyBatchResult {
  /** One per applied deletion: erased from ClickHouse before the commit (the state step's
   *  partitions erase it again once they have applied every event before it). */
  erasures: PersonErasure[];
  outcomes: Array<{ command_id: string; outcome: string }>;
}

/** Operator commands (force-merge, split, delete) applied to the graph, as the single writer
 *  applies them (identity-commands-pipeline.ts), their state effects routed (routeCommand). */
export function processRouteCommands(
  messages: readonly ConsumedMessage[],
  state: RouteStageState,
  topology: RouteTopology,
  nowMs: number,
): RouteCommandResult {
  const result: RouteCommandResult = {
    ...emptyBatchResult(),
    erasures: [],
    outcomes: [],
  };
  for (const message of messages) {
    const parsed = parseIdentityCommand(message.value);
    if (parsed.kind !== 'ok') {
      if (parsed.kind === 'dlq')
        result.messages.push(
          deadLetterMessage(
            topology.dlqTopic,
            message,
            { reason: parsed.reason, detail: parsed.detail, step: 'parseIdentityCommand' },
            nowMs,
          ),
        );
      continue;
    }
    try {
      const command = parsed.value;
      const applied =
        command.command === 'force-merge'
          ? forceMerge(state.graph, command, nowMs)
          : command.command === 'split'
            ? splitIdentifier(state.graph, command, nowMs)
            : deletePerson(state.graph, command, nowMs);
      const erasure = personErasureOf(applied);
      result.outcomes.push({
        command_id: command.command_id,
        outcome: applied.outcome.kind === 'applied' ? 'applied' : `rejected:${applied.outcome.reason}`,
      });
      if (erasure === null) {
        result.outputs.identityMap.push(...applied.rows.identity_map);
        result.outputs.personOverrides.push(...applied.rows.person_overrides);
      } else result.erasures.push(erasure);
      result.outputs.accounts.push(...applied.rows.accounts);
      for (const record of applied.changelog)
        result.changelog.push({
          topic: topology.identityChangelogTopic,
          ...encodeChangelogRecord(record),
          partition: 0,
        });
      for (const effect of applied.effects) {
        result.effects.push(effect);
        if (
          effect.kind === 'link' ||
          effect.kind === 'account_membership' ||
          effect.kind === 'primary_account'
        )
          continue;
        const person = 'survivor_person_id' in effect ? effect.survivor_person_id : effect.person_id;
        result.messages.push({
          topic: topology.identityChangesTopic,
          key: person,
          value: JSON.stringify(effect),
        });
        result.outputs.identityChanges.push({ effect, anonymous: effect.kind === 'deletion' });
      }
      for (const record of routeCommand(state.route, applied.effects, erasure))
        result.messages.push(...encodeResolvedRecord(topology.resolved, record));
    } catch (err) {
      result.messages.push(
        deadLetterMessage(
          topology.dlqTopic,
          message,
          { ...internalError(err), step: 'processRouteCommands' },
          nowMs,
        ),
      );
      result.counts.set('dlq:internal_error', (result.counts.get('dlq:internal_error') ?? 0) + 1);
    }
  }
  for (const person of [...state.route.changed].sort())
    result.changelog.push({
      topic: topology.identityChangelogTopic,
      ...encodeChangelogRecord({
        kind: 'routed',
        person_id: person,
        routed: state.route.personKeyed.has(person),
      }),
      partition: 0,
    });
  state.route.changed.clear();
  return result;
}
