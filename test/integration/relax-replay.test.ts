// Real data through the whole pipeline: the Relax Inc. dataset (12,000 users in 417 organisations,
// 207,917 daily logins) goes through the raw behavior topic as Segment calls — each user as an
// identify and a group call into their organisation, each login as a 'Logged In' track — then
// ingest, identity and the journey stage into ClickHouse. The activation query configured as
// "logged in on 3 separate days within a 7-day window" (per person) must find exactly the adopted
// users computed independently from the CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runMetricQuery } from '../../services/sink/metric-queries.ts';
import { waitFor } from '../support/stack.ts';
import { runningPipeline } from '../support/running-pipeline.ts';
import { DAY, adopted, logins, users } from '../support/relax-dataset.ts';

function* relaxCalls(): Generator<{ key: string; value: string }> {
  const call = (type: string, userId: string, t: number, fields: object, messageId: string) => {
    const at = new Date(t).toISOString();
    return {
      key: userId,
      value: JSON.stringify({
        type,
        messageId,
        userId,
        timestamp: at,
        sentAt: at,
        receivedAt: at,
        context: {},
        ...fields,
      }),
    };
  };
  for (const u of users) {
    yield call(
      'identify',
      `relax-${u.id}`,
      u.createdAt,
      { traits: { source: 'relax' } },
      `relax-identify-${u.id}`,
    );
    yield call(
      'group',
      `relax-${u.id}`,
      u.createdAt,
      { groupId: `relax-org-${u.org}`, traits: {} },
      `relax-group-${u.id}`,
    );
  }
  for (const l of logins) {
    yield call(
      'track',
      `relax-${l.user}`,
      l.day * DAY + 12 * 3_600_000,
      { event: 'Logged In', properties: {} },
      `relax-login-${l.user}-${l.day}`,
    );
  }
}

test(`Relax through Kafka and the whole pipeline: ${adopted} adopted users`, async (t) => {
  const { config, clickhouse, producer } = await runningPipeline(t, {
    INGEST_MAX_PAST_DAYS: '10000', // 2012-2014 history
    CLICKHOUSE_RETENTION_DAYS: '10000', // the tables keep what the window accepts
    JOURNEY_SWEEP_MINUTES: '10080',
  });
  let batch: Array<{ key: string; value: string }> = [];
  let total = 0;
  for (const message of relaxCalls()) {
    batch.push(message);
    total++;
    if (batch.length === 2000) {
      await producer.send({ topic: config.TOPIC_BEHAVIOR, messages: batch });
      batch = [];
    }
  }
  await producer.send({ topic: config.TOPIC_BEHAVIOR, messages: batch });
  assert.equal(total, 2 * users.length + logins.length);

  const count = async (): Promise<number> =>
    Number(
      (
        await (
          await clickhouse.query({
            query: 'SELECT uniqExact(event_id) AS c FROM journey_events',
            format: 'JSONEachRow',
          })
        ).json<{ c: string }>()
      )[0]?.c,
    );
  await waitFor(
    'every Relax event in ClickHouse',
    async () => ((await count()) >= total ? true : undefined),
    900_000,
    2000,
  );
  assert.equal(await count(), total);

  const rows = await runMetricQuery<{ signed_up: number; activated_ever: number }>(
    clickhouse,
    'activation_by_cohort',
    {
      signup_event: 'identify',
      activation_event: 'Logged In',
      times: 3,
      window_days: 7,
      entity: 'person',
      cut: 'all',
    },
    { database: config.CLICKHOUSE_DATABASE },
  );
  const sum = (k: 'signed_up' | 'activated_ever'): number => rows.reduce((s, r) => s + Number(r[k]), 0);
  console.log(
    `# Relax through the pipeline: ${sum('activated_ever')} adopted of ${sum('signed_up')} (independent count: ${adopted})`,
  );
  assert.equal(sum('signed_up'), users.length, 'one person per Relax user');
  assert.equal(sum('activated_ever'), adopted);
  const [accounts] = await (
    await clickhouse.query({
      query: "SELECT uniqExact(account_id) AS c FROM journey_events WHERE account_id != ''",
      format: 'JSONEachRow',
    })
  ).json<{ c: string }>();
  assert.equal(Number(accounts?.c), new Set(users.map((u) => u.org)).size, 'one account per organisation');
});
