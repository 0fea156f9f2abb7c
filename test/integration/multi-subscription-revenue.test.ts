// Issue #16, done-when: accounts holding several overlapping Stripe subscriptions (adds, upgrades,
// downgrades, partial and full cancellations, reactivations, monthly and annual prices, trials
// converting and trials lapsing), sent as Stripe webhook events through the whole pipeline. The
// account's MRR at every day's end, every account-level change and its kind, the churned set and
// NRR by cohort must equal an independent computation over the subscription plans themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runMetricQuery } from '../../services/sink/metric-queries.ts';
import { runningPipeline } from '../support/running-pipeline.ts';
import { planInstants, planMrrAt, stripeEvents, subscriptionPlans } from '../support/stripe-subscriptions.ts';

const DAY = 86_400_000;
const ch = (t: number): string => new Date(t).toISOString().replace('T', ' ').replace('Z', '');

test('several subscriptions per account: MRR, change kinds, churned set and NRR equal the plans', async (t) => {
  const { config, clickhouse, producer, settled } = await runningPipeline(t, { TOPIC_PARTITIONS: '2' });
  const days = 80;
  const start = Math.floor((Date.now() - (days + 3) * DAY) / DAY) * DAY;
  const plans = subscriptionPlans(40, start, days, 16);
  const events = plans.flatMap(stripeEvents).sort((a, b) => a.at - b.at);
  await producer.send({
    topic: config.TOPIC_BILLING,
    // Keyed by customer, as a collector keys them: one customer's events stay in order on one
    // partition. (Keyed by event id, a customer's events race across partitions and the journey's
    // single watermark can pass one before it arrives: issue #15, item 3.)
    messages: events.map((e) => ({ key: e.customer, value: JSON.stringify(e.body) })),
  });
  // A later event of another source moves the journey's watermark past every billing event.
  await producer.send({
    topic: config.TOPIC_BEHAVIOR,
    messages: [
      {
        key: 'rev-clock',
        value: JSON.stringify({
          type: 'track',
          messageId: 'rev-clock',
          userId: 'rev-clock',
          event: 'Logged In',
          timestamp: new Date().toISOString(),
        }),
      },
    ],
  });
  await settled([config.TOPIC_BILLING, config.TOPIC_BEHAVIOR]);
  const query = async <T>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> =>
    (await clickhouse.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<T>();
  const dlq = await query<{ reason: string; detail: string }>('SELECT reason, detail FROM dlq_events');
  assert.deepEqual(dlq, [], 'every Stripe event accepted');
  // The account ids the pipeline gave the source keys.
  const ids = new Map(
    (
      await query<{ account_id: string; account_key: string }>(
        'SELECT account_id, account_key FROM accounts FINAL',
      )
    ).map((r) => [r.account_key, r.account_id]),
  );
  const accounts = [...new Set(plans.map((p) => p.account))];
  assert.ok(
    accounts.every((a) => ids.has(a)),
    'every account known',
  );
  const mrrAt = (account: string, at: number): number =>
    plans.filter((p) => p.account === account).reduce((sum, p) => sum + planMrrAt(p, at), 0);

  // 1. Every account-level change, with its kind.
  const expected: string[] = [];
  for (const account of accounts) {
    const instants = [...new Set(plans.filter((p) => p.account === account).flatMap(planInstants))].sort(
      (a, b) => a - b,
    );
    let customer = false;
    for (const at of instants) {
      const before = mrrAt(account, at - 1);
      const after = mrrAt(account, at);
      if (before !== after)
        expected.push(
          `${ids.get(account)} ${ch(at)} ${before} -> ${after} ${
            before === 0
              ? customer
                ? 'reactivation'
                : 'new'
              : after === 0
                ? 'churn'
                : after > before
                  ? 'expansion'
                  : 'contraction'
          }`,
        );
      customer ||= after > 0;
    }
  }
  const changes = await query<{
    account_id: string;
    at: string;
    mrr_before_cents: string;
    mrr_after_cents: string;
    kind: string;
  }>('SELECT account_id, at, mrr_before_cents, mrr_after_cents, kind FROM account_mrr_changes');
  const actual = changes.map(
    (c) => `${c.account_id} ${c.at} ${Number(c.mrr_before_cents)} -> ${Number(c.mrr_after_cents)} ${c.kind}`,
  );
  assert.deepEqual(actual.sort(), expected.sort());
  const kinds = new Set(expected.map((line) => line.split(' ').pop()));
  assert.deepEqual(
    [...kinds].sort(),
    ['churn', 'contraction', 'expansion', 'new', 'reactivation'],
    'every kind exercised',
  );

  // 2. The account's MRR at the end of every day, as "MRR of account X at D" is documented.
  let accountDays = 0;
  let naiveWrong = 0;
  for (let d = 0; d <= days; d += 1) {
    const at = start + (d + 1) * DAY - 1;
    const rows = await query<{ account_id: string; mrr: string }>(
      'SELECT account_id, argMax(mrr_after_cents, at) AS mrr FROM account_mrr_changes WHERE at <= {at:DateTime64(3)} GROUP BY account_id',
      { at: ch(at) },
    );
    const got = new Map(rows.map((r) => [r.account_id, Number(r.mrr)]));
    // The naive baseline beside it: the account's latest billing event's MRR (the pipeline before #16).
    const latest = await query<{ account_id: string; mrr: string }>(
      'SELECT account_id, argMax(mrr_cents, event_time) AS mrr FROM journey_events WHERE mrr_cents IS NOT NULL AND event_time <= {at:DateTime64(3)} GROUP BY account_id',
      { at: ch(at) },
    );
    const naive = new Map(latest.map((r) => [r.account_id, Number(r.mrr)]));
    for (const account of accounts) {
      const truth = mrrAt(account, at);
      assert.equal(got.get(ids.get(account)!) ?? 0, truth, `${account} at ${ch(at)}`);
      accountDays++;
      if ((naive.get(ids.get(account)!) ?? 0) !== truth) naiveWrong++;
    }
  }

  // 3. The churned set: the journey stage of accounts whose MRR ended at 0 after having paid.
  const end = start + (days + 1) * DAY;
  const churned = accounts
    .filter((a) => mrrAt(a, end) === 0 && expected.some((line) => line.startsWith(`${ids.get(a)} `)))
    .map((a) => ids.get(a)!)
    .sort();
  const states = await query<{ account_key: string; stage: string; mrr_cents: string }>(
    "SELECT account_key, stage, mrr_cents FROM account_state_latest WHERE kind = 'account'",
  );
  assert.deepEqual(
    states
      .filter((s) => s.stage === 'churned')
      .map((s) => s.account_key)
      .sort(),
    churned,
  );
  for (const account of accounts)
    assert.equal(
      Number(states.find((s) => s.account_key === ids.get(account))?.mrr_cents ?? 0),
      mrrAt(account, end),
      account,
    );

  // 4. NRR by cohort (cut all) against the plans.
  const from = start + 30 * DAY;
  const to = end;
  const cohorts = new Map<string, { start: number; end: number; accounts: number }>();
  for (const account of accounts) {
    const s = mrrAt(account, from);
    if (s <= 0) continue;
    const firstPaid = Math.min(
      ...plans
        .filter((p) => p.account === account)
        .flatMap(planInstants)
        .filter((at) => mrrAt(account, at) > 0),
    );
    const cohort = new Date(firstPaid).toISOString().slice(0, 8) + '01';
    const c = cohorts.get(cohort) ?? { start: 0, end: 0, accounts: 0 };
    cohorts.set(cohort, { start: c.start + s, end: c.end + mrrAt(account, to), accounts: c.accounts + 1 });
  }
  const nrr = await runMetricQuery<{
    cohort_month: string;
    accounts: string;
    start_mrr_cents: string;
    end_mrr_cents: string;
    nrr: number;
  }>(
    clickhouse,
    'nrr_by_cohort',
    { start: ch(from), end: ch(to), cut: 'all' },
    { database: config.CLICKHOUSE_DATABASE },
  );
  assert.deepEqual(
    nrr
      .map((r) => [r.cohort_month, Number(r.accounts), Number(r.start_mrr_cents), Number(r.end_mrr_cents)])
      .sort(),
    [...cohorts].map(([cohort, c]) => [cohort, c.accounts, c.start, c.end]).sort(),
  );
  console.log(
    `${plans.length} subscriptions on ${accounts.length} accounts, ${events.length} Stripe events: ${expected.length} account-level changes, ${churned.length} churned; latest-event baseline wrong on ${naiveWrong} of ${accountDays} account-days, per-subscription sum on 0`,
  );
});
