// Loads the metric fixture into a migrated database through writeBatch, and compares query
// results with oracle rows.
import assert from 'node:assert/strict';
import type { ClickHouseClient } from '@clickhouse/client';
import { writeBatch } from './write-rows.ts';
import { journeyEventRow } from './rows/event-rows.ts';
import { FIXTURE_EVENTS, FIXTURE_OVERRIDES } from './metrics-fixture.ts';
import {
  accountStateRows,
  churnAlertRows,
  churnOutcomeRows,
  churnScoreRows,
  stageTransitionRows,
} from './metrics-fixture-accounts.ts';
import { sortRows } from './metrics-oracle-support.ts';
import type { Row } from './metrics-oracle-support.ts';

/** `firstOffset` other than '0' stores every row again under other dedup tokens (a re-batched replay). */
export async function loadMetricFixture(
  client: ClickHouseClient,
  database: string,
  firstOffset = '0',
): Promise<void> {
  const rows = new Map<string, object[]>([
    ['journey_events', FIXTURE_EVENTS.map(journeyEventRow)],
    ['person_overrides', FIXTURE_OVERRIDES],
    ['account_state', accountStateRows()],
    ['stage_transitions', stageTransitionRows()],
    ['churn_scores', churnScoreRows()],
    ['churn_alerts', churnAlertRows()],
    ['churn_outcomes', churnOutcomeRows()],
  ]);
  await writeBatch(client, rows, {
    database,
    origin: { topic: 'fixture', partition: 0, firstOffset, lastOffset: firstOffset },
  });
}

/** Same rows (sorted by `keys`; [] keeps the query's order), numbers equal to within the queries' rounding. */
export function assertSameRows(actual: Row[], expected: Row[], keys: string[], label: string): void {
  const a = sortRows(actual, keys);
  const e = sortRows(expected, keys);
  assert.equal(
    a.length,
    e.length,
    `${label}: ${a.length} rows, expected ${e.length}\n${JSON.stringify(a)}\n${JSON.stringify(e)}`,
  );
  a.forEach((row, i) => {
    const want = e[i]!;
    assert.deepEqual(Object.keys(row).sort(), Object.keys(want).sort(), `${label}: columns`);
    for (const [k, raw] of Object.entries(want)) {
      // ClickHouse writes NaN and ±inf (0/0, x/0, avg of nothing) as null in JSON.
      const v = typeof raw === 'number' && !Number.isFinite(raw) ? null : raw;
      const got = row[k] ?? null;
      const message = `${label} row ${i} ${k}: got ${JSON.stringify(got)}, expected ${JSON.stringify(v)}\n${JSON.stringify(row)}`;
      if (typeof v === 'number' && typeof got === 'number') assert.ok(Math.abs(got - v) < 0.006, message);
      else assert.equal(got, v, message);
    }
  });
}
