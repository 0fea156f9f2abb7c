// Accounts billed through several Stripe subscriptions, as plans (what each subscription does and
// when) and as the Stripe webhook events those plans produce (customer.subscription.created /
// updated / deleted, in Stripe's documented shape: items.data[].price with unit_amount and
// recurring, previous_attributes on updates, metadata.account_id naming the account). The plans
// also give each subscription's MRR at any instant directly — the independent computation a test
// compares the pipeline with.
import { Rng } from '../../services/workload/prng.ts';

export interface SubscriptionPlan {
  id: string;
  account: string;
  interval: 'month' | 'year';
  unitAmount: number;
  /** [at, quantity] changes after the start; the first entry is the start. */
  quantities: Array<[number, number]>;
  /** Trialing (MRR 0) from the start until this instant, then active (or canceled at it). */
  trialEnd: number | null;
  canceledAt: number | null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function subscriptionPlans(
  accounts: number,
  start: number,
  days: number,
  seed: number,
): SubscriptionPlan[] {
  const rng = new Rng(seed);
  const plans: SubscriptionPlan[] = [];
  for (let a = 0; a < accounts; a++) {
    const account = `rev-acc-${a}`;
    if (a % 8 === 7) {
      // A comeback: every subscription ends, then a trial converts to paid, then an annual add-on.
      const at = (day: number): number => start + day * DAY + HOUR;
      const base = { account, trialEnd: null, canceledAt: null } as const;
      plans.push(
        {
          ...base,
          id: `sub_${a}_0`,
          interval: 'month',
          unitAmount: 2900,
          quantities: [[at(1), 3]],
          canceledAt: at(20),
        },
        {
          ...base,
          id: `sub_${a}_1`,
          interval: 'month',
          unitAmount: 4900,
          quantities: [[at(24), 2]],
          trialEnd: at(38),
        },
        { ...base, id: `sub_${a}_2`, interval: 'year', unitAmount: 24000, quantities: [[at(50), 1]] },
      );
      continue;
    }
    const count = rng.int(1, 4);
    for (let s = 0; s < count; s++) {
      // Each subscription of an account changes at its own hour of the day: no two at one instant.
      const at = (day: number): number => start + day * DAY + (s + 1) * HOUR;
      let day = rng.int(0, Math.floor(days / 2));
      const annual = rng.int(0, 3) === 0;
      const trial = rng.int(0, 3) === 0;
      const plan: SubscriptionPlan = {
        id: `sub_${a}_${s}`,
        account,
        interval: annual ? 'year' : 'month',
        unitAmount: annual ? rng.int(1, 20) * 1200 : rng.int(1, 50) * 100,
        quantities: [[at(day), rng.int(1, 10)]],
        trialEnd: null,
        canceledAt: null,
      };
      if (trial) plan.trialEnd = at((day += 14));
      const lapsed = trial && rng.int(0, 2) === 0; // a trial that ends unpaid
      for (let changes = rng.int(0, 2); changes > 0 && !lapsed; changes--) {
        day += rng.int(3, 15);
        if (day >= days - 2) break;
        const quantity = Math.max(1, plan.quantities[plan.quantities.length - 1]![1] + rng.int(-3, 4));
        plan.quantities.push([at(day), quantity]);
      }
      if (lapsed) plan.canceledAt = plan.trialEnd;
      else if (rng.int(0, 2) === 0 && day + 3 < days - 1)
        plan.canceledAt = at((day += rng.int(3, Math.max(3, days - 1 - day))));
      plans.push(plan);
    }
  }
  return plans;
}

/** The subscription's MRR at instant t, from its plan (not from any event). */
export function planMrrAt(plan: SubscriptionPlan, t: number): number {
  const started = plan.quantities[0]![0];
  if (t < started) return 0;
  if (plan.canceledAt !== null && t >= plan.canceledAt) return 0;
  if (plan.trialEnd !== null && t < plan.trialEnd) return 0;
  const quantity = plan.quantities.filter(([at]) => at <= t).pop()![1];
  return plan.interval === 'year' ? (plan.unitAmount * quantity) / 12 : plan.unitAmount * quantity;
}

/** Every instant at which the plan's subscription changed. */
export const planInstants = (plan: SubscriptionPlan): number[] =>
  [...plan.quantities.map(([at]) => at), plan.trialEnd, plan.canceledAt].filter(
    (t): t is number => t !== null,
  );

function stripeObject(plan: SubscriptionPlan, status: string, quantity: number, canceledAt: number | null) {
  return {
    id: plan.id,
    object: 'subscription',
    customer: `cus_${plan.account}`,
    status,
    currency: 'usd',
    cancel_at_period_end: false,
    canceled_at: canceledAt === null ? null : Math.floor(canceledAt / 1000),
    trial_end: plan.trialEnd === null ? null : Math.floor(plan.trialEnd / 1000),
    metadata: { account_id: plan.account },
    items: {
      object: 'list',
      data: [
        {
          id: `si_${plan.id}`,
          object: 'subscription_item',
          quantity,
          price: {
            id: `price_${plan.interval}_${plan.unitAmount}`,
            object: 'price',
            currency: 'usd',
            unit_amount: plan.unitAmount,
            lookup_key: `${plan.interval}ly_${plan.unitAmount}`,
            recurring: { interval: plan.interval, interval_count: 1, usage_type: 'licensed' },
          },
        },
      ],
    },
  };
}

/** The plan's Stripe webhook events, in time order. */
export function stripeEvents(plan: SubscriptionPlan): Array<{ at: number; customer: string; body: object }> {
  const out: Array<{ at: number; customer: string; body: object }> = [];
  const event = (at: number, type: string, object: object, previous?: object) =>
    out.push({
      at,
      customer: `cus_${plan.account}`,
      body: {
        id: `evt_${plan.id}_${out.length}`,
        object: 'event',
        api_version: '2023-10-16',
        type,
        created: Math.floor(at / 1000),
        data: { object, ...(previous ? { previous_attributes: previous } : {}) },
      },
    });
  const [[startAt, firstQuantity]] = plan.quantities as [[number, number]];
  const trialing = plan.trialEnd !== null;
  event(
    startAt,
    'customer.subscription.created',
    stripeObject(plan, trialing ? 'trialing' : 'active', firstQuantity, null),
  );
  if (trialing && plan.canceledAt !== plan.trialEnd)
    event(
      plan.trialEnd!,
      'customer.subscription.updated',
      stripeObject(plan, 'active', firstQuantity, null),
      {
        status: 'trialing',
      },
    );
  for (let i = 1; i < plan.quantities.length; i++) {
    const [at, quantity] = plan.quantities[i]!;
    const before = stripeObject(plan, 'active', plan.quantities[i - 1]![1], null);
    event(at, 'customer.subscription.updated', stripeObject(plan, 'active', quantity, null), {
      items: before.items,
      quantity: plan.quantities[i - 1]![1],
    });
  }
  if (plan.canceledAt !== null) {
    const quantity = plan.quantities.filter(([at]) => at <= plan.canceledAt!).pop()![1];
    event(
      plan.canceledAt,
      'customer.subscription.deleted',
      stripeObject(plan, 'canceled', quantity, plan.canceledAt),
    );
  }
  return out;
}
