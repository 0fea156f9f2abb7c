// What a journey run left in ClickHouse, for comparing two runs over the same canonical events:
// the account states, stage transitions and signals (FINAL), and the stored events' counts.
import type { ClickHouseClient } from '@clickhouse/client';

export async function journeySnapshot(
  client: ClickHouseClient,
  database: string,
): Promise<Record<string, unknown>> {
  const q = async (query: string): Promise<unknown[]> =>
    (await client.query({ query: query.replaceAll('{db}', database), format: 'JSONEachRow' })).json();
  return {
    accounts: await q(
      `SELECT account_key, kind, stage, stage_entered_at, stalled, segment, plan, seats, active_seats,
              mrr_cents, first_touch_channel, signup_at, activated_at, last_activity_at, churned_at,
              features, experiments, funnel_steps, stage_entries, nps, csat, tickets_30d
       FROM {db}.account_state FINAL WHERE deleted = 0 ORDER BY account_key`,
    ),
    transitions: await q(
      'SELECT id, account_key, from_stage, to_stage, at FROM {db}.stage_transitions FINAL ORDER BY id',
    ),
    signals: await q('SELECT id, kind, account_key, at FROM {db}.journey_signals FINAL ORDER BY id'),
    events: await q(
      'SELECT count() AS rows, uniqExact(event_id) AS ids, uniqExact(person_id) AS persons FROM {db}.journey_events FINAL',
    ),
  };
}
