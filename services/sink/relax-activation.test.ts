// The Relax Inc. dataset (12,000 users in organisations, 207,917 daily logins) loaded into
// journey_events — users as identify + group events into their orgs, logins as 'Logged In' track
// events — and the activation query configured as "logged in on 3 separate days within a 7-day
// window" (per person) must find exactly the adopted users counted here in plain JS from the CSV.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createChdbTestClient } from '../../test/support/chdb-test-client.ts';
import { migrate } from './migrate.ts';
import { runMetricQuery } from './metric-queries.ts';
import { writeBatch } from './write-rows.ts';
import { journeyEventRow } from './rows/event-rows.ts';
import { fixtureEvent } from '../../test/fixtures/metrics-fixture.ts';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import { DAY, adopted, adoption, logins, users } from '../../test/support/relax-dataset.ts';

const client = createChdbTestClient();
const database = 'relax';

function relaxEvents(): JourneyEvent[] {
  const at = (t: number): string => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  const person = (id: string): string => `relax_u${id}`;
  const org = new Map(users.map((u) => [u.id, `relax_org${u.org}`]));
  return [
    ...users.flatMap((u) => [
      fixtureEvent(person(u.id), org.get(u.id)!, 'identify', at(u.createdAt), { type: 'identify' }),
      fixtureEvent(person(u.id), org.get(u.id)!, 'group', at(u.createdAt), { type: 'group' }),
    ]),
    ...logins.map((l) => fixtureEvent(person(l.user), org.get(l.user) ?? null, 'Logged In', at(l.day * DAY))),
  ];
}

before(async () => {
  // 2012-2014 history: past the default 730-day TTL, which would drop it.
  await migrate(client, { database, retentionDays: 10_000 });
  const rows = relaxEvents().map(journeyEventRow);
  for (let i = 0; i < rows.length; i += 50_000) {
    const origin = {
      topic: 'relax',
      partition: 0,
      firstOffset: String(i),
      lastOffset: String(Math.min(rows.length, i + 50_000) - 1),
    };
    await writeBatch(client, new Map([['journey_events', rows.slice(i, i + 50_000)]]), { database, origin });
  }
});

test(`Relax: activation "3 separate login days within 7 days" finds the ${adopted} adopted users counted from the CSV`, async () => {
  assert.equal(users.length, 12_000);
  assert.equal(logins.length, 207_917);
  const rows = await runMetricQuery<{
    cohort_week: string;
    signed_up: number;
    activated_7d: number;
    activated_14d: number;
    activated_ever: number;
  }>(
    client,
    'activation_by_cohort',
    {
      signup_event: 'identify',
      activation_event: 'Logged In',
      times: 3,
      window_days: 7,
      entity: 'person',
      cut: 'all',
    },
    { database },
  );
  const total = (k: 'signed_up' | 'activated_ever'): number => rows.reduce((s, r) => s + r[k], 0);
  console.log(
    `# Relax adopted users: ${adopted} of ${users.length} (ClickHouse: ${total('activated_ever')})`,
  );
  assert.equal(total('signed_up'), users.length);
  assert.equal(total('activated_ever'), adopted);

  // The cohort breakdown too: users by sign-up week, adopted within 7 / 14 days of sign-up.
  const monday = (t: number): string => {
    const d = Math.floor(t / DAY);
    return new Date((d - ((d + 3) % 7)) * DAY).toISOString().slice(0, 10);
  };
  const expected = new Map<
    string,
    { signed_up: number; activated_7d: number; activated_14d: number; activated_ever: number }
  >();
  for (const u of users) {
    const e = expected.get(monday(u.createdAt)) ?? {
      signed_up: 0,
      activated_7d: 0,
      activated_14d: 0,
      activated_ever: 0,
    };
    const day = adoption.get(u.id);
    const after = day === null || day === undefined ? null : day - Math.floor(u.createdAt / DAY);
    e.signed_up++;
    if (after !== null) {
      e.activated_ever++;
      if (after <= 7) e.activated_7d++;
      if (after <= 14) e.activated_14d++;
    }
    expected.set(monday(u.createdAt), e);
  }
  assert.deepEqual(
    Object.fromEntries(
      rows.map((r) => [
        r.cohort_week,
        {
          signed_up: r.signed_up,
          activated_7d: r.activated_7d,
          activated_14d: r.activated_14d,
          activated_ever: r.activated_ever,
        },
      ]),
    ),
    Object.fromEntries([...expected].sort()),
  );
});
