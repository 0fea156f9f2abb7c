// A churn-mechanism workload as raw messages in the vendors' formats, in send order: an existing
// B2B customer base (every subscription starts on day 0, before any product event, as when the
// pipeline is deployed onto a running product), Segment identify/group/track calls from the
// product, Stripe subscription and invoice events, Zendesk event webhooks, Delighted NPS answers.
// The truth is which accounts cancelled, when, and by which mechanism.
import { Rng } from '../prng.ts';
import { segmentMessage } from '../segment-messages.ts';
import { invoiceObject, stripeEvent, subscriptionObject } from '../billing-payload.ts';
import type { SubscriptionState } from '../billing-payload.ts';
import type { RawMessage, Topic } from '../workload-message.ts';
import { activeChance, planAccount } from './churn-mechanisms.ts';
import type { AccountPlan, ChurnMechanism, MechanismWorkloadSpec } from './churn-mechanisms.ts';
import { delightedNpsResponse, zendeskTicketCreated, zendeskUserCreated } from './vendor-payloads.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const PRODUCT_EVENTS = ['Report Viewed', 'Dashboard Opened', 'Query Run', 'Export Created'];
const PRICE_CENTS = 3_000;

export interface MechanismChurner {
  account: string;
  mechanism: ChurnMechanism;
  churnedAtMs: number;
}

export interface MechanismWorkload {
  spec: MechanismWorkloadSpec;
  messages: RawMessage[];
  accounts: number;
  churners: MechanismChurner[];
}

const accountId = (seed: number, i: number): string => `acct_m${seed}_${String(i).padStart(4, '0')}`;

function accountMessages(
  plan: AccountPlan,
  spec: MechanismWorkloadSpec,
  seed: number,
  startMs: number,
  rng: Rng,
): RawMessage[] {
  const out: RawMessage[] = [];
  const account = accountId(seed, plan.index);
  const userId = (j: number): string => `${account}_u${j}`;
  const email = (j: number): string => `user${j}@${account.replace(/_/g, '-')}.example.com`;
  const at = (day: number, hourFrom = 8, hourTo = 18): number =>
    startMs + day * DAY_MS + Math.floor(rng.between(hourFrom, hourTo) * HOUR_MS);
  const push = (topic: Topic, key: string, value: object, timeMs: number): void => {
    out.push({ topic, key, value, encoding: 'json', eventTimeMs: timeMs, sendTimeMs: timeMs });
  };
  const segment = (type: 'identify' | 'group' | 'track', j: number, timeMs: number, extra: object) =>
    push(
      'behavior',
      account,
      segmentMessage({
        type,
        messageId: rng.uuid(),
        userId: userId(j),
        accountId: account,
        ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
        eventTimeMs: timeMs,
        sendTimeMs: timeMs,
        ...extra,
      }),
      timeMs,
    );

  // Day 0: the subscription (created before the window: an existing customer), users, the group.
  const sub: SubscriptionState = {
    subscriptionId: `sub_${account}`,
    customerId: `cus_${account}`,
    accountId: account,
    userId: userId(0),
    plan: 'team',
    seats: plan.seats,
    status: 'active',
    trialEndMs: null,
  };
  const stripe = (
    type: Parameters<typeof stripeEvent>[1],
    timeMs: number,
    object: object,
    previous?: object,
  ) =>
    push(
      'billing',
      account,
      stripeEvent(
        `evt_${rng.uuid().replace(/-/g, '').slice(0, 24)}`,
        type,
        timeMs,
        object as Record<string, unknown>,
        previous as Record<string, unknown> | undefined,
      ),
      timeMs,
    );
  stripe('customer.subscription.created', startMs + 60_000, subscriptionObject(sub, startMs, null));
  segment('group', 0, startMs + 120_000, { traits: { name: account, plan: 'team' } });
  plan.users.forEach((u, j) =>
    segment('identify', j, startMs + 180_000 + j * 1000, {
      traits: { email: email(j), role: u.adminFromDay === 0 ? 'admin' : 'member' },
    }),
  );

  for (let day = 0; day < spec.days && day < plan.cancelDay; day++) {
    plan.users.forEach((u, j) => {
      if (u.adminFromDay === day && day > 0)
        segment('identify', j, at(day, 7, 8), { traits: { email: email(j), role: 'admin' } });
      if (rng.chance(activeChance(plan, u, day, startMs, spec)))
        segment('track', j, at(day), { event: rng.pick(PRODUCT_EVENTS), properties: {} });
    });
    if (day === plan.shrinkDay) {
      const before = { ...sub };
      sub.seats = plan.shrunkSeats;
      const t = at(day);
      stripe('customer.subscription.updated', t, subscriptionObject(sub, t, null), {
        quantity: before.seats,
      });
    }
    if (spec.streams.invoices && day > 0 && day % 30 === 0) {
      const failed = plan.failedPaymentDays.includes(day);
      const t = at(day, 1, 3);
      const invoice = (paid: boolean, attempt: number, timeMs: number): void =>
        stripe(
          paid ? 'invoice.paid' : 'invoice.payment_failed',
          timeMs,
          invoiceObject({
            invoiceId: `in_${account}_${day}`,
            sub,
            email: email(0),
            amountCents: sub.seats * PRICE_CENTS,
            paid,
            attempt,
            billingReason: 'subscription_cycle',
            nextAttemptMs: paid ? null : timeMs + 7 * DAY_MS,
          }),
        );
      invoice(!failed, 1, t);
      if (failed && plan.recoveredPaymentDay !== null) invoice(true, 2, t + 3 * DAY_MS);
    }
  }
  if (spec.streams.invoices)
    for (const [i, day] of plan.failedPaymentDays.entries())
      if (day % 30 !== 0 && day < plan.cancelDay)
        stripe(
          'invoice.payment_failed',
          at(day, 1, 3),
          invoiceObject({
            invoiceId: `in_${account}_${plan.failedPaymentDays[0]}`,
            sub,
            email: email(0),
            amountCents: sub.seats * PRICE_CENTS,
            paid: false,
            attempt: i + 1,
            billingReason: 'subscription_cycle',
            nextAttemptMs: startMs + (day + 7) * DAY_MS,
          }),
        );

  if (spec.streams.tickets) {
    const known = new Set<number>();
    plan.tickets.forEach(([day, priority], n) => {
      const j = rng.int(0, plan.users.length - 1);
      const t = at(day);
      const requesterId = `${900_000_000 + plan.index * 100 + j}`;
      if (!known.has(j)) {
        known.add(j);
        push(
          'tickets',
          account,
          zendeskUserCreated({
            eventId: rng.uuid(),
            requesterId,
            userId: userId(j),
            email: email(j),
            atMs: t - 60_000,
          }),
          t - 60_000,
        );
      }
      push(
        'tickets',
        account,
        zendeskTicketCreated({
          eventId: rng.uuid(),
          ticketId: `${plan.index * 1000 + n + 1}`,
          requesterId,
          priority,
          subject:
            priority === 'URGENT' ? 'Reports are failing for the whole team' : 'How do I export a report?',
          atMs: t,
        }),
        t,
      );
    });
  }
  if (spec.streams.surveys)
    plan.nps.forEach(([day, score, j], n) => {
      const t = at(day);
      push(
        'surveys',
        account,
        delightedNpsResponse({
          eventId: rng.uuid().replace(/-/g, ''),
          responseId: `${plan.index * 1000 + n + 1}`,
          personId: `${plan.index * 100 + j}`,
          email: email(j),
          userId: userId(j),
          accountId: account,
          score,
          comment: score <= 6 ? 'Too many problems lately.' : null,
          atMs: t,
        }),
        t,
      );
    });

  if (plan.cancelDay < spec.days) {
    const t = at(plan.cancelDay, 10, 12);
    sub.status = 'canceled';
    const reason = plan.mechanism === 'failed_payments' ? 'payment_failed' : 'cancellation_requested';
    stripe(
      'customer.subscription.deleted',
      t,
      subscriptionObject(sub, t, { reason, feedback: null, comment: null }),
    );
  }
  return out;
}

/** The whole workload, deterministic in (spec, seed, startMs). */
export function generateMechanismWorkload(
  spec: MechanismWorkloadSpec,
  seed: number,
  startMs: number,
): MechanismWorkload {
  const messages: RawMessage[] = [];
  const churners: MechanismChurner[] = [];
  for (let i = 0; i < spec.accounts; i++) {
    const rng = new Rng(seed, 7_001, i);
    const plan = planAccount(rng, i, spec);
    messages.push(...accountMessages(plan, spec, seed, startMs, rng));
    if (plan.mechanism !== null && plan.cancelDay < spec.days)
      churners.push({
        account: accountId(seed, i),
        mechanism: plan.mechanism,
        churnedAtMs: startMs + plan.cancelDay * DAY_MS,
      });
  }
  messages.sort((a, b) => a.sendTimeMs - b.sendTimeMs);
  return { spec, messages, accounts: spec.accounts, churners };
}
