// The main job's path on a small workload, checked against the generator's ground truth:
// every valid event reaches ClickHouse exactly once (by event id), every malformed message is in
// the DLQ with its reason, persons and accounts resolve as the truth says, and journey metrics
// (activation by experiment variant, churned accounts) match within stated tolerances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { produceWorkload } from '../../services/workload/produce-workload.ts';
import { waitFor } from '../support/stack.ts';
import { runningPipeline } from '../support/running-pipeline.ts';

const END = Date.UTC(2026, 10, 20, 12);

test('tiny workload end to end: exactly once, DLQ reasons, identities, journey metrics', async (t) => {
  const { config, clickhouse } = await runningPipeline(t);
  const rows = async <T>(query: string): Promise<T[]> =>
    (await clickhouse.query({ query, format: 'JSONEachRow' })).json<T>();
  const one = async (query: string): Promise<number> =>
    Number(Object.values((await rows<Record<string, unknown>>(query))[0] ?? { c: 0 })[0]);

  const produced = await produceWorkload(config, {
    profile: 'tiny',
    seed: 7,
    endMs: END,
    collectEventIds: true,
  });
  const truth = produced.truth;
  await waitFor(
    'every message processed',
    async () =>
      (await one('SELECT uniqExact(event_id) FROM journey_events')) >= produced.eventIds.size &&
      (await one('SELECT count() FROM dlq_events')) >= produced.malformedDeliveries
        ? true
        : undefined,
    240_000,
    500,
  );

  // Exactly once, by event id.
  const stored = await rows<{ event_id: string; n: string }>(
    'SELECT event_id, count() AS n FROM journey_events FINAL GROUP BY event_id',
  );
  const storedIds = new Set(stored.map((r) => r.event_id));
  const missing = [...produced.eventIds].filter((id) => !storedIds.has(id));
  const unexpected = [...storedIds].filter((id) => !produced.eventIds.has(id));
  assert.deepEqual(missing, [], 'no valid event lost');
  assert.deepEqual(unexpected, [], 'nothing but the valid events stored');
  assert.ok(
    stored.every((r) => Number(r.n) === 1),
    'each stored once',
  );

  // Every malformed delivery dead-lettered with the reason the generator planted.
  const dlq = await rows<{ reason: string; c: string }>(
    'SELECT reason, count() AS c FROM dlq_events GROUP BY reason',
  );
  const dlqByReason = Object.fromEntries(dlq.map((r) => [r.reason, Number(r.c)]));
  for (const [reason, n] of Object.entries(truth.malformedByReason)) {
    assert.ok(
      (dlqByReason[reason] ?? 0) >= n,
      `DLQ has ${dlqByReason[reason] ?? 0} x ${reason}, planted ${n}`,
    );
  }
  assert.equal(
    dlq.reduce((sum, r) => sum + Number(r.c), 0),
    produced.malformedDeliveries,
    'DLQ holds exactly the malformed deliveries',
  );

  // Identity: each true person's events resolve to one person; each true account's members to one account.
  const persons = await rows<{ user_id: string; persons: string }>(
    "SELECT user_id, uniqExact(resolved_person_id) AS persons FROM journey_events_resolved WHERE user_id != '' GROUP BY user_id",
  );
  const trueUsers = Object.keys(truth.persons);
  assert.ok(trueUsers.length > 10);
  for (const p of persons) assert.equal(Number(p.persons), 1, `user ${p.user_id} resolves to one person`);
  const personOfUser = new Map(
    (
      await rows<{ user_id: string; person: string }>(
        "SELECT user_id, any(resolved_person_id) AS person FROM journey_events_resolved WHERE user_id != '' GROUP BY user_id",
      )
    ).map((r) => [r.user_id, r.person]),
  );
  const anonymous = await rows<{ anonymous_id: string; person: string }>(
    "SELECT anonymous_id, any(resolved_person_id) AS person FROM journey_events_resolved WHERE anonymous_id != '' AND user_id = '' GROUP BY anonymous_id",
  );
  const personOfAnonymous = new Map(anonymous.map((r) => [r.anonymous_id, r.person]));
  let anonymousChecked = 0;
  for (const [userId, person] of Object.entries(truth.persons)) {
    for (const anon of person.anonymousIds) {
      const resolved = personOfAnonymous.get(anon);
      if (resolved === undefined) continue;
      anonymousChecked++;
      assert.equal(resolved, personOfUser.get(userId), `anonymous ${anon} stitched to ${userId}`);
    }
  }
  assert.ok(anonymousChecked > 0, 'some anonymous-only events were stitched retroactively');
  const accountsOfUsers = await rows<{ user_id: string; account: string }>(
    "SELECT user_id, any(account_id) AS account FROM journey_events WHERE user_id != '' AND account_id != '' GROUP BY user_id",
  );
  const accountOfUser = new Map(accountsOfUsers.map((r) => [r.user_id, r.account]));
  for (const [accountId, account] of Object.entries(truth.accounts)) {
    const resolved = new Set(account.members.map((m) => accountOfUser.get(m)).filter((a) => a !== undefined));
    assert.ok(
      resolved.size <= 1,
      `members of ${accountId} resolve to one account (got ${[...resolved].join(', ')})`,
    );
  }

  // Churn: the churned stage holds exactly the accounts the truth says cancelled a paid
  // subscription; a trial that lapsed unpaid is not churn. Tolerance: exact.
  const accountKeys = await rows<{ account_key: string; key: string }>(
    'SELECT account_id AS account_key, account_key AS key FROM accounts FINAL',
  );
  const idOfKey = new Map(accountKeys.map((r) => [r.key, r.account_key]));
  const churned = new Set(
    (
      await rows<{ account_key: string }>(
        "SELECT account_key FROM account_state FINAL WHERE stage = 'churned'",
      )
    ).map((r) => r.account_key),
  );
  for (const churner of truth.churners) {
    assert.ok(
      churned.has(idOfKey.get(churner.accountId) ?? churner.accountId),
      `planted churner ${churner.accountId} is churned`,
    );
  }
  for (const lapsed of truth.trialsExpired) {
    assert.ok(
      !churned.has(idOfKey.get(lapsed) ?? lapsed),
      `account ${lapsed} whose trial lapsed is not churned`,
    );
  }
  assert.equal(churned.size, truth.churners.length, 'no other account is churned');

  // Experiment: activation per variant measured by the pipeline vs the truth's observed rate.
  // Tolerance: +-0.10 absolute (tiny sample), and the same sign of the lift when both are measurable.
  const variants = await rows<{ variant: string; n: string; activated: string }>(
    `SELECT experiments[{id:String}] AS variant, count() AS n, countIf(activated_at IS NOT NULL) AS activated
     FROM account_state FINAL WHERE mapContains(experiments, {id:String}) GROUP BY variant`.replaceAll(
      '{id:String}',
      `'${truth.experiment.id.replace(/[^A-Za-z0-9_-]/g, '')}'`,
    ),
  );
  for (const v of variants) {
    const expected = truth.experiment.variants[v.variant as 'control' | 'treatment'];
    if (!expected || expected.exposed === 0) continue;
    const measured = Number(v.activated) / Number(v.n);
    const observed = expected.activated / expected.exposed;
    assert.ok(
      Math.abs(measured - observed) <= 0.1,
      `${v.variant}: measured activation ${measured.toFixed(2)} vs truth ${observed.toFixed(2)}`,
    );
  }
});
