// account_activity_daily counts distinct persons per account and day as uniqExact states, which
// hold a 128-bit hash of each person id: a pseudonym, not an erasure. Deleting a person therefore
// rebuilds the rollup rows that counted it from journey_events, after its events are gone: the
// groups (days x accounts) are deleted and re-aggregated exactly as the materialized view does.
// The journey stage erases between inserts, so none of its inserts into journey_events races the
// rebuild (the state step's partitions at once: InsertRounds.alone; docs/operations.md for more
// instances).
import type { ClickHouseClient } from '@clickhouse/client';

export interface ActivityGroups {
  days: string[];
  accounts: string[];
}

/** The days and accounts of the rollup rows that counted the person's events. */
export async function touchedActivityGroups(
  client: ClickHouseClient,
  database: string,
  params: Record<string, string[]>,
): Promise<ActivityGroups> {
  const result = await client.query({
    query:
      `SELECT groupUniqArray(toString(toDate(event_time))) AS days, groupUniqArray(account_id) AS accounts` +
      ` FROM ${database}.journey_events WHERE account_id != '' AND (person_id IN {persons:Array(String)}` +
      ` OR user_id IN {user_ids:Array(String)} OR anonymous_id IN {anonymous_ids:Array(String)}` +
      ` OR email_hash IN {email_hashes:Array(String)})`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<ActivityGroups>();
  return { days: row?.days ?? [], accounts: row?.accounts ?? [] };
}

/** Deletes the groups' rollup rows and inserts them again from the events left. */
export async function recomputeActivityRollup(
  client: ClickHouseClient,
  database: string,
  groups: ActivityGroups,
): Promise<void> {
  if (groups.days.length === 0 || groups.accounts.length === 0) return;
  const params = { days: groups.days, accounts: groups.accounts };
  await client.command({
    query:
      `DELETE FROM ${database}.account_activity_daily` +
      ` WHERE day IN {days:Array(Date)} AND account_id IN {accounts:Array(String)}`,
    query_params: params,
  });
  await client.command({
    query:
      `INSERT INTO ${database}.account_activity_daily` +
      ` SELECT toDate(event_time) AS day, account_id, type, toUInt64(count()) AS events,` +
      ` uniqExactState(person_id) AS persons FROM ${database}.journey_events FINAL` +
      ` WHERE toDate(event_time) IN {days:Array(Date)} AND account_id IN {accounts:Array(String)}` +
      ` GROUP BY day, account_id, type`,
    query_params: params,
    // A repeated erasure inserts the same block again after deleting it: it must not be dropped
    // as a duplicate of the first.
    clickhouse_settings: { insert_deduplicate: 0 },
  });
}
