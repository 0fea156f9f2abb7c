// The row mappers are the sink's contract with the tables: each mapper's row has exactly the
// table's insertable columns (checked against the migrated schema on chdb), and its values survive
// the round trip (millisecond times, maps, nullables).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createChdbTestClient } from '../../../test/support/chdb-test-client.ts';
import { migrate } from '../migrate.ts';
import { writeBatch } from '../write-rows.ts';
import { fixtureEvent, t } from '../../../test/fixtures/metrics-fixture.ts';
import { ACCOUNTS, sketchState } from '../../../test/fixtures/metrics-fixture-accounts.ts';
import { healthySignals } from '../../churn/churn-signals-fixture.ts';
import { deadLetterMessage, readDeadLetterHeaders } from '../../shared/kafka/dead-letter.ts';
import { dlqRow, journeyEventRow } from './event-rows.ts';
import { identityChangeRow } from './identity-rows.ts';
import type { AccountRow, IdentityMapRow, IdentityOverrideRow } from './identity-rows.ts';
import { accountStateRow, journeySignalRow, stageTransitionRow } from './journey-state-rows.ts';
import { churnAlertRow, churnOutcomeRow, churnScoreRow } from './churn-rows.ts';
import { mondayOf } from './row-time.ts';

const client = createChdbTestClient();
const database = 'rows';
const at = t('2026-03-04 05:06') + 789;

const event = fixtureEvent('p_1', 'acc_1', 'customer.subscription.updated', '2026-03-04 05:06', {
  event_time: at,
  source: 'billing',
  channel: 'email',
  utm: { source: 'newsletter', medium: 'email', campaign: 'spring', term: null, content: null },
  plan: 'team',
  seats: 12,
  mrr_cents: 15000,
  mrr_delta_cents: 5000,
  mrr_change_kind: 'expansion',
  properties_json: '{"coupon":"X"}',
});
const letter = deadLetterMessage(
  'dlq',
  {
    topic: 'behavior',
    partition: 2,
    offset: '41',
    key: Buffer.from('k1'),
    value: Buffer.from('{bad'),
    headers: {},
    timestampMs: at,
  },
  { reason: 'invalid_json', detail: 'Unexpected token', step: 'decodeMessageStep' },
  at,
);
const state = sketchState(ACCOUNTS[0]!);

const samples: Record<string, object> = {
  journey_events: journeyEventRow(event),
  dlq_events: dlqRow(readDeadLetterHeaders(letter.headers as Record<string, Buffer>), {
    key: Buffer.from('k1'),
    value: Buffer.from('{bad'),
    timestampMs: at,
  }),
  identity_map: {
    identifier_key: 'user_id:u1',
    person_id: 'p_1',
    version: 3,
    is_deleted: 0,
  } satisfies IdentityMapRow,
  person_overrides: {
    old_person_id: 'p_anon',
    person_id: 'p_1',
    version: 3,
    is_deleted: 0,
  } satisfies IdentityOverrideRow,
  accounts: { account_id: 'acc_1', account_key: 'org-1' } satisfies AccountRow,
  identity_changes: identityChangeRow({
    kind: 'merge',
    absorbed_person_id: 'p_anon',
    survivor_person_id: 'p_1',
    reason: 'identify',
    event_id: 'e1',
    at,
  })!,
  stage_transitions: stageTransitionRow(
    {
      kind: 'transition',
      id: 'x1',
      account_key: 'acc_1',
      from_stage: 'activation',
      to_stage: 'engagement',
      at,
      reason: 'activation',
      map_version: 2,
    },
    state,
  ),
  journey_signals: journeySignalRow({
    kind: 'funnel_step',
    id: 's1',
    account_key: 'acc_1',
    step: 'Created Project',
    step_index: 2,
    at,
    map_version: 2,
  }),
  account_state: accountStateRow(state, 7, at),
  churn_scores: churnScoreRow({
    score: {
      account: 'acc_1',
      score: 42.5,
      band: 'watch',
      reasons: [],
      scoredAt: at,
      mrr: 150,
      mrrAtRisk: 63.75,
    },
    signals: healthySignals({ account: 'acc_1' }),
  }),
  churn_alerts: churnAlertRow({
    alertId: 'al1',
    account: 'acc_1',
    score: 42.5,
    band: 'watch',
    previousBand: 'healthy',
    reasons: [],
    mrr: 150,
    at,
    firstWarningAt: at,
  }),
  churn_outcomes: churnOutcomeRow(
    {
      account: 'acc_1',
      churnedAt: at,
      warned: false,
      firstWarningAt: null,
      leadTimeMs: null,
      leadTimeDays: null,
      bandAtChurn: 'healthy',
      scoreAtChurn: null,
      reason: 'Too expensive',
      reasonCode: null,
    },
    15000,
  ),
};

before(async () => {
  await migrate(client, { database });
});

test('every mapper row has exactly the insertable columns of its table', async () => {
  for (const [table, row] of Object.entries(samples)) {
    const columns = await (
      await client.query({
        query:
          "SELECT name FROM system.columns WHERE database = {db:String} AND table = {table:String} AND default_kind = '' ORDER BY name",
        query_params: { db: database, table },
        format: 'JSONEachRow',
      })
    ).json<{ name: string }>();
    assert.deepEqual(Object.keys(row).sort(), columns.map((c) => c.name).sort(), table);
  }
});

test('mapper rows insert and read back with millisecond times, maps and nulls intact', async () => {
  await writeBatch(client, new Map(Object.entries(samples).map(([table, row]) => [table, [row]])), {
    database,
    origin: { topic: 'rows', partition: 0, firstOffset: '0', lastOffset: '0' },
  });
  const read = async (query: string): Promise<Record<string, unknown>> =>
    (await (await client.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>())[0]!;
  assert.deepEqual(
    await read(
      `SELECT toUnixTimestamp64Milli(event_time) AS ms, utm_campaign, mrr_delta_cents, properties FROM ${database}.journey_events`,
    ),
    { ms: at, utm_campaign: 'spring', mrr_delta_cents: 5000, properties: '{"coupon":"X"}' },
  );
  assert.deepEqual(
    await read(
      `SELECT reason, step, source_topic, source_partition, toString(source_offset) AS source_offset, message_key, message_bytes FROM ${database}.dlq_events`,
    ),
    {
      reason: 'invalid_json',
      step: 'decodeMessageStep',
      source_topic: 'behavior',
      source_partition: 2,
      source_offset: '41',
      message_key: 'k1',
      message_bytes: 4,
    },
  );
  assert.deepEqual(
    await read(
      `SELECT stage, version, mapKeys(stage_entries) AS stages, signup_at, churned_at, cohort_week, experiments FROM ${database}.account_state`,
    ),
    {
      stage: 'expansion',
      version: 7,
      stages: ['acquisition', 'activation', 'engagement', 'expansion'],
      signup_at: '2026-01-07 10:00:00.000',
      churned_at: null,
      cohort_week: '2026-01-05',
      experiments: { onboarding_v2: 'treatment' },
    },
  );
  assert.deepEqual(
    await read(`SELECT survivor_person_id, absorbed_person_id, reason FROM ${database}.identity_merges`),
    { survivor_person_id: 'p_1', absorbed_person_id: 'p_anon', reason: 'identify' },
  );
  assert.deepEqual(
    await read(`SELECT first_warning_at, hours_from_first_warning, reason FROM ${database}.churn_outcomes`),
    { first_warning_at: null, hours_from_first_warning: null, reason: 'Too expensive' },
  );
});

test('identity history rows: merges, refusals, splits and deletions; links are not history', () => {
  const base = { event_id: 'e9', at };
  assert.deepEqual(
    identityChangeRow({
      kind: 'refused_merge',
      reason: 'distinct_known_users',
      person_id: 'p1',
      other_person_id: 'p2',
      ...base,
    }),
    {
      kind: 'refused_merge',
      reason: 'distinct_known_users',
      person_id: 'p1',
      other_person_id: 'p2',
      event_id: 'e9',
      at: '2026-03-04T05:06:00.789Z',
    },
  );
  assert.deepEqual(
    identityChangeRow({
      kind: 'split',
      person_id: 'p3',
      from_person_id: 'p1',
      remainder_person_id: 'p1',
      identifier_type: 'device_id',
      ...base,
    }),
    {
      kind: 'split',
      reason: 'device_id',
      person_id: 'p3',
      other_person_id: 'p1',
      event_id: 'e9',
      at: '2026-03-04T05:06:00.789Z',
    },
  );
  assert.equal(
    identityChangeRow({
      kind: 'deletion',
      person_id: 'p1',
      retired_person_ids: ['p1'],
      identifier_count: 2,
      ...base,
    })?.reason,
    'gdpr',
  );
  assert.equal(
    identityChangeRow({ kind: 'link', person_id: 'p1', identifier_type: 'email_hash', ...base }),
    null,
  );
});

test('cohort weeks start on Monday (UTC), as ClickHouse toMonday()', () => {
  assert.equal(mondayOf(t('2026-01-04 23:59')), '2025-12-29'); // a Sunday
  assert.equal(mondayOf(t('2026-01-05 00:00')), '2026-01-05'); // a Monday
});
