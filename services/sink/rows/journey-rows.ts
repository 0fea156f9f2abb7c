// The journey's typed outputs (services/journey/journey-outputs.ts) as rows per ClickHouse table,
// in insertion order. The identity tables come first in the map: the writer inserts them before
// every other table of the batch (a reader never sees an event whose re-attribution is still on
// its way).
import type { JourneyOutputs } from '../../journey/journey-outputs.ts';
import { churnAlertRow, churnOutcomeRow, churnScoreRow } from './churn-rows.ts';
import { journeyEventRow } from './event-rows.ts';
import { identityChangeRow } from './identity-rows.ts';
import {
  accountStateDeletedRow,
  accountStateRow,
  journeySignalRow,
  stageTransitionRow,
} from './journey-state-rows.ts';

/** Rows per ClickHouse table, in insertion order. */
export type RowsByTable = Map<string, object[]>;

/** Written (concurrently) before every other table of the batch. */
export const IDENTITY_TABLES: ReadonlySet<string> = new Set([
  'identity_map',
  'person_overrides',
  'accounts',
  'identity_changes',
]);

export function journeyRows(outputs: JourneyOutputs): RowsByTable {
  const rows: RowsByTable = new Map();
  const put = (table: string, list: ReadonlyArray<object>): void => {
    if (list.length === 0) return;
    const existing = rows.get(table) ?? [];
    existing.push(...list);
    rows.set(table, existing);
  };
  put('identity_map', outputs.identityMap);
  put('person_overrides', outputs.personOverrides);
  put('accounts', outputs.accounts);
  put(
    'identity_changes',
    outputs.identityChanges.flatMap(({ effect, anonymous }) => {
      const change = identityChangeRow(effect);
      // The deletion's audit row: kind, reason, command id and time; the person is not named.
      return change ? [anonymous ? { ...change, person_id: '' } : change] : [];
    }),
  );
  put('journey_events', outputs.events.map(journeyEventRow));
  for (const { effect, state } of outputs.journeyEffects) {
    if (effect.kind === 'transition') put('stage_transitions', [stageTransitionRow(effect, state)]);
    else put('journey_signals', [journeySignalRow(effect)]);
  }
  put('churn_scores', outputs.scores.map(churnScoreRow));
  put('churn_alerts', outputs.alerts.map(churnAlertRow));
  put(
    'churn_outcomes',
    outputs.outcomes.map(({ outcome, mrrBeforeCents }) => churnOutcomeRow(outcome, mrrBeforeCents)),
  );
  put(
    'account_state',
    outputs.snapshots.map((s) =>
      s.kind === 'state'
        ? accountStateRow(s.state, s.version, s.asOf)
        : accountStateDeletedRow(s.key, s.version),
    ),
  );
  return rows;
}
