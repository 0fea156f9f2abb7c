// Stripe events (https://docs.stripe.com/api/events/object) for subscriptions and invoices, with
// the fields schemas/billing_event.avsc keeps. Times are unix seconds, amounts minor units.
import type { Plan } from './account-traits.ts';
import { PLAN_PRICE_CENTS } from './account-traits.ts';

export type BillingType =
  | 'customer.subscription.created'
  | 'customer.subscription.updated'
  | 'customer.subscription.deleted'
  | 'invoice.paid'
  | 'invoice.payment_failed';

export interface SubscriptionState {
  subscriptionId: string;
  customerId: string;
  accountId: string;
  userId: string;
  plan: Plan;
  seats: number;
  status: 'trialing' | 'active' | 'past_due' | 'canceled';
  trialEndMs: number | null;
}

export interface Cancellation {
  reason: 'cancellation_requested' | 'payment_failed';
  feedback: string | null;
  comment: string | null;
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

function items(sub: Pick<SubscriptionState, 'plan' | 'seats' | 'subscriptionId'>): Record<string, unknown> {
  return {
    object: 'list',
    data: [
      {
        id: `si_${sub.subscriptionId.slice(4)}`,
        quantity: sub.seats,
        price: {
          id: `price_${sub.plan}_monthly`,
          lookup_key: `${sub.plan}_monthly`,
          currency: 'usd',
          unit_amount: PLAN_PRICE_CENTS[sub.plan],
          recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' },
        },
      },
    ],
  };
}

export function subscriptionObject(
  sub: SubscriptionState,
  nowMs: number,
  cancellation: Cancellation | null,
): Record<string, unknown> {
  return {
    id: sub.subscriptionId,
    object: 'subscription',
    customer: sub.customerId,
    status: sub.status,
    quantity: sub.seats,
    currency: 'usd',
    metadata: { account_id: sub.accountId, user_id: sub.userId },
    items: items(sub),
    cancellation_details: {
      reason: cancellation?.reason ?? null,
      feedback: cancellation?.feedback ?? null,
      comment: cancellation?.comment ?? null,
    },
    cancel_at_period_end: false,
    canceled_at: sub.status === 'canceled' ? seconds(nowMs) : null,
    trial_end: sub.trialEndMs === null ? null : seconds(sub.trialEndMs),
  };
}

/** What a subscription.updated event lists as changed (Stripe's data.previous_attributes). */
export function previousAttributes(
  before: SubscriptionState,
  after: SubscriptionState,
): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  if (before.status !== after.status) previous['status'] = before.status;
  if (before.seats !== after.seats || before.plan !== after.plan) {
    previous['quantity'] = before.seats;
    previous['items'] = items(before);
  }
  return previous;
}

export interface InvoiceInput {
  invoiceId: string;
  sub: SubscriptionState;
  email: string;
  amountCents: number;
  paid: boolean;
  attempt: number;
  billingReason: 'subscription_create' | 'subscription_cycle' | 'subscription_update';
  nextAttemptMs: number | null;
}

export function invoiceObject(inv: InvoiceInput): Record<string, unknown> {
  return {
    id: inv.invoiceId,
    object: 'invoice',
    customer: inv.sub.customerId,
    customer_email: inv.email,
    subscription: inv.sub.subscriptionId,
    metadata: { account_id: inv.sub.accountId, user_id: inv.sub.userId },
    status: inv.paid ? 'paid' : 'open',
    billing_reason: inv.billingReason,
    amount_due: inv.amountCents,
    amount_paid: inv.paid ? inv.amountCents : 0,
    currency: 'usd',
    attempt_count: inv.attempt,
    next_payment_attempt: inv.nextAttemptMs === null ? null : seconds(inv.nextAttemptMs),
  };
}

export function stripeEvent(
  eventId: string,
  type: BillingType,
  createdMs: number,
  object: Record<string, unknown>,
  previous?: Record<string, unknown>,
): Record<string, unknown> {
  const data: Record<string, unknown> = { object };
  if (previous !== undefined) data['previous_attributes'] = previous;
  return {
    id: eventId,
    object: 'event',
    api_version: '2024-06-20',
    created: seconds(createdMs),
    livemode: false,
    type,
    data,
  };
}
