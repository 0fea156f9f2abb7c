// Stripe side of an account: trial start, conversion or expiry, monthly invoices (some fail and
// are retried; three failures cancel the subscription), seat expansions and contractions, and
// the cancellation with the customer's reason in their own words.
import type { AccountState } from './account-state.ts';
import { DAY_MS, nextCycleAfter } from './account-state.ts';
import { PLAN_PRICE_CENTS } from './account-traits.ts';
import type { BillingType, Cancellation, SubscriptionState } from './billing-payload.ts';
import { invoiceObject, previousAttributes, stripeEvent, subscriptionObject } from './billing-payload.ts';
import type { JourneyContext } from './journey-context.ts';
import { emitRecord, person } from './journey-context.ts';
import { CANCEL_FEEDBACK } from './voice-text.ts';
import type { Milestone } from './workload-message.ts';

const RETRY_MS = 3 * DAY_MS;
const MAX_ATTEMPTS = 3;

/** Stripe `created` is in whole seconds: round up so the stream stays in time order. */
const toSecond = (ms: number): number => Math.ceil(ms / 1000) * 1000;

function emitStripe(
  ctx: JourneyContext,
  state: AccountState,
  type: BillingType,
  atMs: number,
  object: Record<string, unknown>,
  previous?: Record<string, unknown>,
  milestone?: Milestone,
): void {
  const id = `evt_${state.rng.uuid().replace(/-/g, '').slice(0, 24)}`;
  const t = toSecond(atMs);
  emitRecord(
    ctx,
    state,
    'billing',
    stripeEvent(id, type, t, object, previous),
    t,
    `billing:${id}`,
    milestone,
  );
}

function billingEmail(ctx: JourneyContext, state: AccountState): string {
  return person(ctx, state, 0).emails[0] as string;
}

export function startTrial(ctx: JourneyContext, state: AccountState, atMs: number): void {
  state.sub.userId = person(ctx, state, 0).userId;
  state.sub.status = 'trialing';
  state.sub.trialEndMs = atMs + ctx.profile.trialDays * DAY_MS;
  emitStripe(ctx, state, 'customer.subscription.created', atMs, subscriptionObject(state.sub, atMs, null));
}

function updateSubscription(
  ctx: JourneyContext,
  state: AccountState,
  atMs: number,
  next: SubscriptionState,
  milestone?: Milestone,
): void {
  const before = state.sub;
  state.sub = next;
  const object = subscriptionObject(next, atMs, null);
  emitStripe(
    ctx,
    state,
    'customer.subscription.updated',
    atMs,
    object,
    previousAttributes(before, next),
    milestone,
  );
}

function emitInvoice(
  ctx: JourneyContext,
  state: AccountState,
  atMs: number,
  amountCents: number,
  paid: boolean,
  billingReason: 'subscription_create' | 'subscription_cycle' | 'subscription_update',
): void {
  const invoice = invoiceObject({
    invoiceId: `in_${state.traits.subscriptionId.slice(4)}_${state.invoiceSeq}`,
    sub: state.sub,
    email: billingEmail(ctx, state),
    amountCents,
    paid,
    attempt: state.failedAttempts + 1,
    billingReason,
    nextAttemptMs: paid ? null : atMs + RETRY_MS,
  });
  emitStripe(ctx, state, paid ? 'invoice.paid' : 'invoice.payment_failed', atMs, invoice);
}

/** An established account's subscription as it stands when the history starts: a
 *  customer.subscription.updated whose previous_attributes list no price, quantity or status
 *  change, so the pipeline learns the account's MRR (delta 0, no new or expansion MRR) before its
 *  first invoice or seat change. Its id comes from the subscription id and it is sent without
 *  noise (`noiseless`): it draws on no random stream, so the rest of the stream is unchanged. */
export function snapshotSubscription(ctx: JourneyContext, state: AccountState, atMs: number): void {
  const t = toSecond(atMs);
  const id = `evt_snapshot_${state.traits.subscriptionId.slice(4)}`;
  const object = subscriptionObject(state.sub, t, null);
  const value = stripeEvent(id, 'customer.subscription.updated', t, object, {});
  ctx.push({
    message: {
      topic: 'billing',
      key: state.traits.accountId,
      value,
      encoding: 'avro',
      eventTimeMs: t,
      sendTimeMs: t,
      eventId: `billing:${id}`,
    },
    noiseless: true,
  });
}

/** Trial ends: the subscription becomes active (first invoice paid) or is canceled unused. */
export function convertTrial(ctx: JourneyContext, state: AccountState, now: number): void {
  const seats = Math.max(1, state.joined);
  const converted: Milestone = { kind: 'converted', accountId: state.traits.accountId };
  updateSubscription(ctx, state, now, { ...state.sub, status: 'active', seats }, converted);
  state.phase = 'paying';
  emitInvoice(ctx, state, now + 2_000, seats * PLAN_PRICE_CENTS[state.sub.plan], true, 'subscription_create');
  state.invoiceSeq++;
  state.nextCycleMs = nextCycleAfter(now);
  state.timers.invoice = state.nextCycleMs;
}

export function expireTrial(ctx: JourneyContext, state: AccountState, now: number): void {
  cancelSubscription(
    ctx,
    state,
    now,
    { reason: 'cancellation_requested', feedback: 'unused', comment: null },
    { kind: 'trial_expired', accountId: state.traits.accountId },
  );
}

export function cancelSubscription(
  ctx: JourneyContext,
  state: AccountState,
  now: number,
  cancellation: Cancellation,
  milestone: Milestone,
): void {
  state.sub = { ...state.sub, status: 'canceled' };
  emitStripe(
    ctx,
    state,
    'customer.subscription.deleted',
    now,
    subscriptionObject(state.sub, toSecond(now), cancellation),
    undefined,
    milestone,
  );
  state.phase = 'ended';
}

/** A voluntary cancellation at the end of a churner's decay. */
export function churn(ctx: JourneyContext, state: AccountState, now: number): void {
  const choice = state.rng.pick(CANCEL_FEEDBACK);
  const comment = state.rng.pick(choice.comments);
  cancelSubscription(
    ctx,
    state,
    now,
    { reason: 'cancellation_requested', feedback: choice.feedback, comment },
    {
      kind: 'churned',
      accountId: state.traits.accountId,
      decayStartMs: state.decayStartMs,
      reason: 'voluntary',
      feedback: choice.feedback,
      comment,
    },
  );
}

/** The monthly invoice, or the retry of a failed one. */
export function invoiceDue(ctx: JourneyContext, state: AccountState, now: number, decaying: boolean): void {
  const failRate = ctx.profile.invoiceFailureRate * (decaying ? 3 : 1);
  const amount = state.sub.seats * PLAN_PRICE_CENTS[state.sub.plan];
  if (state.rng.chance(state.failedAttempts > 0 ? 0.4 : failRate)) {
    emitInvoice(ctx, state, now, amount, false, 'subscription_cycle');
    state.failedAttempts++;
    if (state.failedAttempts < MAX_ATTEMPTS) {
      state.timers.invoice = now + RETRY_MS;
      return;
    }
    const feedback = 'other';
    cancelSubscription(
      ctx,
      state,
      now + 60_000,
      { reason: 'payment_failed', feedback, comment: null },
      {
        kind: 'churned',
        accountId: state.traits.accountId,
        decayStartMs: state.decayStartMs,
        reason: 'payment_failed',
        feedback,
        comment: null,
      },
    );
    return;
  }
  emitInvoice(ctx, state, now, amount, true, 'subscription_cycle');
  state.failedAttempts = 0;
  state.invoiceSeq++;
  state.nextCycleMs = nextCycleAfter(state.nextCycleMs);
  state.timers.invoice = Math.max(state.nextCycleMs, now + DAY_MS);
}

/** Expansion (healthy accounts) or contraction (decaying ones) of the seat count. */
export function changeSeats(ctx: JourneyContext, state: AccountState, now: number, decaying: boolean): void {
  const rng = state.rng;
  const before = state.sub.seats;
  const contract = rng.chance(decaying ? 0.9 : 0.3);
  const seats = contract ? Math.max(1, before - rng.int(1, 2)) : before + rng.int(1, 3);
  if (seats === before) return;
  updateSubscription(ctx, state, now, { ...state.sub, seats });
  if (seats > before) {
    state.expanded = true;
    const prorated = Math.round(((seats - before) * PLAN_PRICE_CENTS[state.sub.plan] * rng.int(5, 29)) / 30);
    emitInvoice(ctx, state, now + 3_000, prorated, true, 'subscription_update');
    state.invoiceSeq++;
  }
}
