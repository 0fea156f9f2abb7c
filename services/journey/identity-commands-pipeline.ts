// Operator identity commands, top to bottom: parse -> apply to the graph (single writer) and fold
// or delete journey state -> identity outputs, identity changes, changelogs -> (shell) the erasure
// of deleted persons from ClickHouse and the rows without them (services/sink/erase-person.ts),
// then one transaction with the offsets. A deletion writes no row that names the person: its identity_map / person_overrides
// `is_deleted` markers are left out (the erasure deletes every row of the person, and a marker
// inserted after it would put the identifiers back), and its identity_changes audit row keeps only
// the command id. Commands are idempotent
// (a repeated force-merge is `same_person`, a repeated delete `unknown_person`), so a retried
// batch cannot apply one twice.
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import type { PersonErasure } from '../identity/person-erasure.ts';
import { internalError } from '../shared/bulkhead.ts';
import { deadLetterMessage } from '../shared/kafka/dead-letter.ts';
import { encodeChangelogRecord } from '../identity/identity-core.ts';
import { emptyBatchResult } from './journey-outputs.ts';
import { flushChangelog } from './account-store.ts';
import type { JourneyContext } from './apply-journey-step.ts';
import { applyIdentityCommandStep, parseIdentityCommand } from './apply-identity-command-step.ts';
import type { JourneyBatchResult, JourneyStageState, JourneyTopology } from './journey-pipeline.ts';

export interface CommandBatchResult extends JourneyBatchResult {
  deletedPersonIds: string[];
  /** One per applied delete command: what the shell erases from ClickHouse. */
  erasures: PersonErasure[];
  outcomes: Array<{ command_id: string; outcome: string }>;
}

export function processIdentityCommands(
  messages: readonly ConsumedMessage[],
  state: JourneyStageState,
  topology: JourneyTopology,
  ctx: JourneyContext,
  nowMs: number,
): CommandBatchResult {
  const result: CommandBatchResult = {
    ...emptyBatchResult(),
    deletedPersonIds: [],
    erasures: [],
    outcomes: [],
  };
  for (const message of messages) {
    const parsed = parseIdentityCommand(message.value);
    if (parsed.kind !== 'ok') {
      if (parsed.kind === 'dlq') {
        result.messages.push(
          deadLetterMessage(
            topology.dlqTopic,
            message,
            { reason: parsed.reason, detail: parsed.detail, step: 'parseIdentityCommand' },
            nowMs,
          ),
        );
      }
      continue;
    }
    // The bulkhead: a command that raises an exception is dead-lettered (internal_error); the
    // commands after it, and the events sharing this consumer, go on.
    let applied: ReturnType<typeof applyIdentityCommandStep>;
    try {
      applied = applyIdentityCommandStep(state.graph, state.accounts, parsed.value, ctx.map, nowMs);
    } catch (err) {
      result.messages.push(
        deadLetterMessage(
          topology.dlqTopic,
          message,
          { ...internalError(err), step: 'applyIdentityCommandStep' },
          nowMs,
        ),
      );
      result.counts.set('dlq:internal_error', (result.counts.get('dlq:internal_error') ?? 0) + 1);
      continue;
    }
    const { outcome, rows, changelog, effects } = applied.result;
    result.outcomes.push({
      command_id: parsed.value.command_id,
      outcome: outcome.kind === 'applied' ? 'applied' : `rejected:${outcome.reason}`,
    });
    const erasure = applied.erasure;
    if (erasure === null) {
      result.outputs.identityMap.push(...rows.identity_map);
      result.outputs.personOverrides.push(...rows.person_overrides);
    } else result.erasures.push(erasure);
    result.outputs.accounts.push(...rows.accounts);
    for (const record of changelog) {
      const { key, value } = encodeChangelogRecord(record);
      // Identity records are global to the graph: partition 0 of the changelog, as for a
      // single-partition canonical topic.
      result.changelog.push({ topic: topology.identityChangelogTopic, key, value, partition: 0 });
    }
    for (const effect of effects) {
      result.effects.push(effect);
      if (effect.kind === 'link' || effect.kind === 'account_membership' || effect.kind === 'primary_account')
        continue;
      const person = 'survivor_person_id' in effect ? effect.survivor_person_id : effect.person_id;
      result.messages.push({
        topic: topology.identityChangesTopic,
        key: person,
        value: JSON.stringify(effect),
      });
      // The deletion's audit row: kind, reason, command id and time; the person is not named.
      result.outputs.identityChanges.push({ effect, anonymous: effect.kind === 'deletion' });
    }
    result.deletedPersonIds.push(...applied.deletedPersonIds);
  }
  for (const entry of flushChangelog(state.accounts)) {
    result.changelog.push({
      topic: topology.journeyChangelogTopic,
      key: entry.key,
      value: entry.value,
      partition: 0,
    });
  }
  return result;
}
