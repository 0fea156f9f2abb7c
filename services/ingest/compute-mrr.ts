// Monthly recurring revenue of a Stripe-like subscription and the kind of an MRR change.
//
// MRR = sum over licensed items of unit_amount x quantity, normalised to a month
// (year / 12, week x 52 / 12, day x 365 / 12, divided by interval_count), rounded to minor units.
// Metered items and tiered prices (no unit_amount) contribute 0: their revenue is only known from
// invoices. Discounts and taxes are ignored. Only active, past_due and unpaid subscriptions bear
// MRR (trialing, incomplete, paused and canceled ones bear 0).
import { PayloadError } from './payload-error.ts';
import type { PayloadObject } from './read-payload-fields.ts';
import { isPayloadObject, optIdentifier, optInteger, optObject, optString } from './read-payload-fields.ts';

export interface PricedItem {
  /** lookup_key when set (stable, human), else the price / plan id. */
  planKey: string;
  quantity: number | undefined;
  unitAmount: number | undefined;
  interval: string | undefined;
  intervalCount: number;
  metered: boolean;
  currency: string | undefined;
}

export type MrrChange = {
  mrr: number;
  delta: number;
  kind: 'new' | 'expansion' | 'contraction' | 'churn' | 'reactivation' | null;
};

const MRR_BEARING = new Set(['active', 'past_due', 'unpaid']);
/** A subscription coming back from one of these to an MRR-bearing status is a reactivation. */
const LAPSED = new Set(['canceled', 'paused', 'incomplete_expired']);
const PER_YEAR: Readonly<Record<string, number>> = { day: 365, week: 52, month: 12, year: 1 };

export function bearsMrr(status: string | undefined): boolean {
  return status !== undefined && MRR_BEARING.has(status);
}

function readPrice(price: PayloadObject, quantity: number | undefined, path: string): PricedItem {
  const recurring = optObject(price, 'recurring', `${path}.recurring`);
  return {
    planKey:
      optString(price, 'lookup_key', `${path}.lookup_key`) ??
      optIdentifier(price, 'id', `${path}.id`) ??
      'unknown',
    quantity,
    unitAmount: optInteger(price, 'unit_amount', `${path}.unit_amount`),
    interval:
      recurring === undefined ? undefined : optString(recurring, 'interval', `${path}.recurring.interval`),
    intervalCount:
      (recurring === undefined
        ? undefined
        : optInteger(recurring, 'interval_count', `${path}.recurring.interval_count`)) ?? 1,
    metered:
      (recurring === undefined
        ? undefined
        : optString(recurring, 'usage_type', `${path}.recurring.usage_type`)) === 'metered',
    currency: optString(price, 'currency', `${path}.currency`),
  };
}

function readLegacyPlan(plan: PayloadObject, quantity: number | undefined, path: string): PricedItem {
  return {
    planKey: optIdentifier(plan, 'id', `${path}.id`) ?? 'unknown',
    quantity,
    unitAmount: optInteger(plan, 'amount', `${path}.amount`),
    interval: optString(plan, 'interval', `${path}.interval`),
    intervalCount: optInteger(plan, 'interval_count', `${path}.interval_count`) ?? 1,
    metered: optString(plan, 'usage_type', `${path}.usage_type`) === 'metered',
    currency: optString(plan, 'currency', `${path}.currency`),
  };
}

/** The priced items of a subscription: items.data[] (current API), else the legacy plan + quantity. */
export function readSubscriptionItems(subscription: PayloadObject, path: string): PricedItem[] {
  const items = optObject(subscription, 'items', `${path}.items`);
  const list = items === undefined ? undefined : items['data'];
  if (Array.isArray(list) && list.length > 0) {
    return list.map((item, i) => {
      const itemPath = `${path}.items.data[${i}]`;
      if (!isPayloadObject(item)) throw new PayloadError('invalid_field', `${itemPath}: expected an object`);
      const price =
        optObject(item, 'price', `${itemPath}.price`) ?? optObject(item, 'plan', `${itemPath}.plan`);
      if (price === undefined)
        throw new PayloadError('missing_required_field', `${itemPath}.price is required`);
      return readPrice(price, optInteger(item, 'quantity', `${itemPath}.quantity`), `${itemPath}.price`);
    });
  }
  const plan = optObject(subscription, 'plan', `${path}.plan`);
  if (plan === undefined) return [];
  return [readLegacyPlan(plan, optInteger(subscription, 'quantity', `${path}.quantity`), `${path}.plan`)];
}

/** Monthly amount of one item in minor units (unrounded). */
export function itemMonthlyAmount(item: PricedItem): number {
  if (item.metered || item.unitAmount === undefined || item.interval === undefined) return 0;
  // hasOwn: an interval named "constructor" or "__proto__" must not find Object.prototype's members.
  const perYear = Object.hasOwn(PER_YEAR, item.interval) ? PER_YEAR[item.interval] : undefined;
  if (perYear === undefined) throw new PayloadError('invalid_field', `recurring interval "${item.interval}"`);
  return (item.unitAmount * (item.quantity ?? 1) * perYear) / 12 / Math.max(1, item.intervalCount);
}

export function subscriptionMrr(items: readonly PricedItem[]): number {
  return Math.round(items.reduce((sum, item) => sum + itemMonthlyAmount(item), 0));
}

/** The item that contributes most MRR (first on ties): its plan and quantity describe the subscription. */
export function primaryItem(items: readonly PricedItem[]): PricedItem | undefined {
  let best: PricedItem | undefined;
  for (const item of items)
    if (best === undefined || itemMonthlyAmount(item) > itemMonthlyAmount(best)) best = item;
  return best;
}

/** previous -> current MRR: the delta and its kind (null when MRR did not change). */
export function classifyMrrChange(
  previousMrr: number,
  previousStatus: string | undefined,
  mrr: number,
): MrrChange {
  const delta = mrr - previousMrr;
  if (delta === 0) return { mrr, delta, kind: null };
  if (previousMrr === 0) {
    return {
      mrr,
      delta,
      kind: previousStatus !== undefined && LAPSED.has(previousStatus) ? 'reactivation' : 'new',
    };
  }
  if (mrr === 0) return { mrr, delta, kind: 'churn' };
  return { mrr, delta, kind: delta > 0 ? 'expansion' : 'contraction' };
}
