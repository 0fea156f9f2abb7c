// GDPR erasure in ClickHouse: deletes every row that names a deleted person, in every table the
// pipeline writes (docs/operations.md, "GDPR deletion: what is removed where"). Values travel only
// as query parameters; table names are constants and the database name is checked.
// Lightweight DELETE masks the rows at once (the statement waits for it, lightweight_deletes_sync
// default) and the bytes go at the parts' next merge. Safe to repeat: a retried batch re-runs it.
import type { ClickHouseClient } from '@clickhouse/client';
import type { PersonErasure } from '../identity/person-erasure.ts';
import { identifierValues, namesErasedPerson, personValues } from '../identity/person-erasure.ts';
import type { RowsByTable } from './rows/journey-rows.ts';
import { recomputeActivityRollup, touchedActivityGroups } from './recompute-activity-rollup.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** DLQ details are searched for values at least this long (shorter ones would match any text). */
const MIN_DETAIL_NEEDLE = 4;

/** Per table, the rows that name the person. Parameters: see erasureParams. */
export const ERASE_WHERE: ReadonlyArray<readonly [table: string, where: string]> = [
  [
    'journey_events',
    'person_id IN {persons:Array(String)} OR user_id IN {user_ids:Array(String)}' +
      ' OR anonymous_id IN {anonymous_ids:Array(String)} OR email_hash IN {email_hashes:Array(String)}',
  ],
  ['identity_map', 'identifier_key IN {keys:Array(String)} OR person_id IN {persons:Array(String)}'],
  ['person_overrides', 'old_person_id IN {persons:Array(String)} OR person_id IN {persons:Array(String)}'],
  ['identity_changes', 'person_id IN {persons:Array(String)} OR other_person_id IN {persons:Array(String)}'],
  // Keyed by account_key: a person's own rows before an account is known.
  ['account_state', 'account_key IN {persons:Array(String)}'],
  ['stage_transitions', 'account_key IN {persons:Array(String)}'],
  ['journey_signals', 'account_key IN {persons:Array(String)}'],
  ['churn_scores', 'account_key IN {persons:Array(String)}'],
  ['churn_alerts', 'account_key IN {persons:Array(String)}'],
  ['churn_outcomes', 'account_key IN {persons:Array(String)}'],
  ['dlq_events', 'message_key IN {values:Array(String)} OR multiSearchAny(detail, {needles:Array(String)})'],
];

export function erasureParams(erasure: PersonErasure): Record<string, string[]> {
  const values = personValues(erasure);
  return {
    persons: erasure.person_ids,
    keys: erasure.identifier_keys,
    user_ids: identifierValues(erasure, 'user_id'),
    anonymous_ids: identifierValues(erasure, 'anonymous_id'),
    email_hashes: identifierValues(erasure, 'email_hash'),
    values,
    needles: values.filter((v) => v.length >= MIN_DETAIL_NEEDLE),
  };
}

/** Erases each person from every table; account_activity_daily is recomputed without it. */
export async function erasePersons(
  client: ClickHouseClient,
  database: string,
  erasures: readonly PersonErasure[],
): Promise<void> {
  if (!IDENTIFIER.test(database)) throw new Error(`invalid database name ${JSON.stringify(database)}`);
  for (const erasure of erasures) {
    const params = erasureParams(erasure);
    // Read before journey_events loses the rows: which rollup groups counted the person.
    const groups = await touchedActivityGroups(client, database, params);
    for (const [table, where] of ERASE_WHERE) {
      await client.command({
        query: `DELETE FROM ${database}.${table} WHERE ${where}`,
        query_params: params,
      });
    }
    await recomputeActivityRollup(client, database, groups);
  }
}

/** The batch's rows without those naming an erased person: a row an earlier command of the batch
 *  wrote for a person deleted later in it would be inserted after the erasure and bring it back. */
export function withoutErased(rows: RowsByTable, erasures: readonly PersonErasure[]): RowsByTable {
  if (erasures.length === 0) return rows;
  return new Map(
    [...rows].map(([table, list]) => [table, list.filter((row) => !namesErasedPerson(row, erasures))]),
  );
}
