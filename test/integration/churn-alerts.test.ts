// Churn alerts through the whole pipeline for the two non-usage risks: an active account that
// files a burst of urgent tickets, and one whose payments fail. Each alerts exactly once, with
// the factor that caused it among its reasons; an equally active account with neither stays quiet.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../support/stack.ts';
import { readTopic } from '../support/topic-reader.ts';
import { runningPipeline } from '../support/running-pipeline.ts';
import { ticketPayload } from '../../services/workload/ticket-payload.ts';
import type { SubscriptionState } from '../../services/workload/billing-payload.ts';
import { invoiceObject, stripeEvent, subscriptionObject } from '../../services/workload/billing-payload.ts';

const DAY = 86_400_000;

interface Alert {
  account: string;
  band: string;
  previousBand: string;
  reasons: Array<{ factor: string; text: string }>;
}

/** The three accounts' 45 days: behavior, tickets, billing, produced one source after another in
 *  `order` — the ingest reads them as they come, so the canonical topic holds them in about that
 *  order. */
async function churnAlertsScenario(t: TestContext, order: ReadonlyArray<'behavior' | 'tickets' | 'billing'>) {
  const { config, producer, ticks } = await runningPipeline(t, { JOURNEY_IDLE_TICK_SECONDS: '2' });
  const now = Date.now();
  const at = (daysAgo: number): number => now - daysAgo * DAY;
  const accounts = ['tickets-org', 'payments-org', 'steady-org'];

  const behavior = [];
  for (const account of accounts) {
    const userId = `${account}-admin`;
    const call = (daysAgo: number, type: string, fields: object) => {
      const time = new Date(at(daysAgo)).toISOString();
      return {
        key: userId,
        value: JSON.stringify({
          type,
          messageId: `${account}-${type}-${daysAgo}`,
          userId,
          groupId: account,
          timestamp: time,
          sentAt: time,
          receivedAt: time,
          context: {},
          ...fields,
        }),
      };
    };
    behavior.push(
      call(45, 'group', { traits: { name: account } }),
      call(45, 'track', { event: 'Signed Up' }),
    );
    for (let d = 44; d >= 0; d--) behavior.push(call(d + 0.01, 'track', { event: 'Logged In' }));
  }

  // Eight urgent tickets in the last ten days.
  const tickets = [...Array(8).keys()].map((i) => {
    const created = at(10 - i);
    return {
      key: 'tickets-org',
      value: JSON.stringify(
        ticketPayload({
          ticketId: `t-${i}`,
          kind: 'created',
          requester: { id: `r-1`, email: 'admin@tickets.example', userId: 'tickets-org-admin' },
          organization: { id: 'o-1', accountId: 'tickets-org', name: 'Tickets Org' },
          status: 'new',
          priority: 'urgent',
          channel: 'email',
          tags: ['outage'],
          subject: 'The export is down again',
          category: 'bug',
          rating: null,
          createdMs: created,
          updatedMs: created,
          solvedMs: null,
        }),
      ),
    };
  });

  // A paid subscription for every account; two failed invoice payments for one of them.
  const billing = [];
  for (const account of accounts) {
    const sub: SubscriptionState = {
      subscriptionId: `sub_${account}`,
      customerId: `cus_${account}`,
      accountId: account,
      userId: `${account}-admin`,
      plan: 'team',
      seats: 1,
      status: 'active',
      trialEndMs: null,
    };
    billing.push({
      key: account,
      value: JSON.stringify(
        stripeEvent(
          `evt_created_${account}`,
          'customer.subscription.created',
          at(44),
          subscriptionObject(sub, at(44), null),
        ),
      ),
    });
    if (account !== 'payments-org') continue;
    for (const [attempt, daysAgo] of [
      [1, 12],
      [2, 5],
    ] as const) {
      const invoice = invoiceObject({
        invoiceId: `in_${account}`,
        sub: { ...sub, status: 'past_due' },
        email: 'ap@payments.example',
        amountCents: 4900,
        paid: false,
        attempt,
        billingReason: 'subscription_cycle',
        nextAttemptMs: at(daysAgo - 3),
      });
      billing.push({
        key: account,
        value: JSON.stringify(
          stripeEvent(`evt_failed_${attempt}`, 'invoice.payment_failed', at(daysAgo), invoice),
        ),
      });
    }
  }
  const topics = {
    behavior: config.TOPIC_BEHAVIOR,
    tickets: config.TOPIC_TICKETS,
    billing: config.TOPIC_BILLING,
  };
  const messages = { behavior, tickets, billing };
  for (const source of order) await producer.send({ topic: topics[source], messages: messages[source] });

  const reader = await readTopic(t, config.TOPIC_CHURN_ALERTS, (v) => JSON.parse(String(v)) as Alert);
  const alerts = reader.items;
  await waitFor('an alert for each risky account', () => (alerts.length >= 2 ? true : undefined), 90_000);
  // Further wall-clock ticks re-score every account: let two of them (wrongly) re-alert, read to the end.
  await ticks(2);
  await waitFor('the alerts topic read to its end', async () =>
    (await reader.readToEnd()) ? true : undefined,
  );

  const byFactor = (factor: string): Alert[] =>
    alerts.filter((a) => a.reasons.some((r) => r.factor === factor));
  const ticketAlerts = byFactor('urgent_tickets');
  const paymentAlerts = byFactor('payment_failures');
  assert.equal(new Set(ticketAlerts.map((a) => a.account)).size, 1, JSON.stringify(alerts));
  assert.equal(new Set(paymentAlerts.map((a) => a.account)).size, 1, JSON.stringify(alerts));
  assert.notEqual(ticketAlerts[0]!.account, paymentAlerts[0]!.account);
  assert.equal(new Set(alerts.map((a) => a.account)).size, 2, 'the steady account never alerts');
  for (const account of new Set(alerts.map((a) => a.account))) {
    const bands = alerts.filter((a) => a.account === account).map((a) => a.band);
    assert.equal(
      new Set(bands).size,
      bands.length,
      `${account}: one alert per band crossed (${bands.join(', ')})`,
    );
  }
  // The reason as of the crossing: the account is scored as of each ticket once every source
  // reached it (rescore-account.ts), so the count is the one in time order, however the sources'
  // messages were fetched — at least the three that cross the band.
  const named = Number(
    /(\d+) high\/urgent tickets/.exec(
      ticketAlerts[0]!.reasons.find((r) => r.factor === 'urgent_tickets')!.text,
    )?.[1],
  );
  assert.ok(named >= 3 && named <= 8, `urgent tickets named in the alert: ${named}`);
  assert.match(
    paymentAlerts[0]!.reasons.find((r) => r.factor === 'payment_failures')!.text,
    /2 failed payments/,
  );
  // Both admins log in every day: no alert may name a silence or an unused seat — what an account
  // scored before its logins were read looked like (rescore-account.ts).
  const factors = new Set(alerts.flatMap((a) => a.reasons.map((r) => r.factor)));
  assert.deepEqual(
    [...factors].filter((f) => !['urgent_tickets', 'ticket_volume', 'payment_failures'].includes(f)),
    [],
    JSON.stringify(alerts),
  );
}

test('urgent tickets and failed payments each raise one alert with their reason; a steady account none', (t) =>
  churnAlertsScenario(t, ['behavior', 'tickets', 'billing']));

test('the same, with the billing and tickets read before the logins of the same days', (t) =>
  churnAlertsScenario(t, ['billing', 'tickets', 'behavior']));
