// Replays after a crash or a rebalance re-insert what the previous owner inserted but did not
// commit: at most its one in-flight batch, which starts at the committed offset. The replayed
// batch is cut where the consumer's fetch happened to end, so its insert_deduplication_token can
// differ from the first attempt's, and ReplacingMergeTree would only collapse the copy at its next
// merge: count() would count the event twice until then. So after every restore, the journey asks
// ClickHouse which of the batch's events are stored already and leaves them out, batch after batch,
// until one batch has none stored: past the in-flight batch, nothing can be.
import type { ClickHouseClient } from '@clickhouse/client';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function storedEventIds(
  client: ClickHouseClient,
  database: string,
  eventIds: readonly string[],
): Promise<Set<string>> {
  if (!IDENTIFIER.test(database)) throw new Error(`invalid database name ${JSON.stringify(database)}`);
  const stored = new Set<string>();
  // Query parameters travel in the URL: a few hundred ids per query keep it far below any
  // server's URI limit (a real server allows 1 MiB; Node's HTTP parser, 16 KiB of headers).
  for (let i = 0; i < eventIds.length; i += IDS_PER_QUERY) {
    const result = await client.query({
      query: `SELECT DISTINCT event_id FROM ${database}.journey_events WHERE event_id IN {ids:Array(String)}`,
      query_params: { ids: eventIds.slice(i, i + IDS_PER_QUERY) },
      format: 'JSONEachRow',
    });
    for (const row of await result.json<{ event_id: string }>()) stored.add(row.event_id);
  }
  return stored;
}

const IDS_PER_QUERY = 150;

/** The batch's journey_events rows without those already stored; `stored` = how many were. */
export async function dropStoredEvents(
  client: ClickHouseClient,
  database: string,
  rows: ReadonlyArray<{ event_id: string }>,
): Promise<{ rows: Array<{ event_id: string }>; stored: number }> {
  const stored = await storedEventIds(
    client,
    database,
    rows.map((r) => r.event_id),
  );
  if (stored.size === 0) return { rows: [...rows], stored: 0 };
  return { rows: rows.filter((r) => !stored.has(r.event_id)), stored: stored.size };
}
