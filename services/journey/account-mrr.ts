// An account's MRR when it bills through several subscriptions (issue #16): each subscription's
// own MRR series, from its own events in event-time order (late events land where they belong),
// and the account's MRR at any instant = the sum over its subscriptions of each one's latest value
// at or before that instant. Churn and reactivation are facts about that sum: the account churns
// when it reaches 0, and reactivates when it leaves 0 after having been a customer — not when one
// of several subscriptions ends, or a trial (MRR 0) starts. Pure.
//
// Billing events without a subscription id share the unkeyed series '', which exists only while no
// event named a subscription. A state migrated from format 1 holds its account-level history there;
// the first event that names a subscription replaces it (which subscriptions it summed is unknown).

/** Subscription id -> [event time, MRR after] points, by time, the newest MAX_POINTS. */
export type SubscriptionMrr = Readonly<Record<string, ReadonlyArray<readonly [number, number]>>>;

export const UNKEYED = '';
export const MAX_SUBSCRIPTIONS = 8;
/** As many as the account-level history keeps (MAX_MRR_HISTORY): one subscription loses nothing. */
export const MAX_POINTS = 12;

const byTime = (a: readonly [number, number], b: readonly [number, number]): number =>
  a[0] - b[0] || a[1] - b[1];

function withPoint(
  points: ReadonlyArray<readonly [number, number]>,
  t: number,
  mrr: number,
): Array<[number, number]> {
  // Two events of one subscription at the same instant (Stripe stamps seconds): the larger MRR
  // stands, whatever order they arrive in — the state must not depend on arrival order.
  const same = points.find(([at]) => at === t);
  if (same && same[1] >= mrr) return points.map(([at, v]) => [at, v] as [number, number]);
  const kept = points.filter(([at]) => at !== t).map(([at, v]) => [at, v] as [number, number]);
  return [...kept, [t, mrr] as [number, number]].sort(byTime).slice(-MAX_POINTS);
}

const lastAt = (points: ReadonlyArray<readonly [number, number]>): number =>
  points[points.length - 1]?.[0] ?? -Infinity;
const lastValue = (points: ReadonlyArray<readonly [number, number]>): number =>
  points[points.length - 1]?.[1] ?? 0;

/** Keeps at most MAX_SUBSCRIPTIONS: ended ones (last value 0) go first, the longest quiet first. */
function bounded(
  subs: Record<string, Array<[number, number]> | ReadonlyArray<readonly [number, number]>>,
): SubscriptionMrr {
  const keys = Object.keys(subs);
  if (keys.length <= MAX_SUBSCRIPTIONS) return subs;
  const order = keys.sort(
    (a, b) =>
      Number(lastValue(subs[a]!) > 0) - Number(lastValue(subs[b]!) > 0) ||
      lastAt(subs[a]!) - lastAt(subs[b]!) ||
      (a < b ? -1 : 1),
  );
  const out: Record<string, ReadonlyArray<readonly [number, number]>> = {};
  for (const key of order.slice(order.length - MAX_SUBSCRIPTIONS)) out[key] = subs[key]!;
  return out;
}

export function addSubscriptionPoint(
  subs: SubscriptionMrr,
  subscription: string,
  t: number,
  mrr: number,
): SubscriptionMrr {
  const keyed = Object.keys(subs).some((k) => k !== UNKEYED);
  // The unkeyed series exists only while no event named a subscription (in any arrival order).
  if (subscription === UNKEYED && keyed) return subs;
  const next: Record<string, ReadonlyArray<readonly [number, number]>> = { ...subs };
  if (subscription !== UNKEYED) delete next[UNKEYED];
  next[subscription] = withPoint(subs[subscription] ?? [], t, mrr);
  return bounded(next);
}

export function mergeSubscriptionMrr(a: SubscriptionMrr, b: SubscriptionMrr): SubscriptionMrr {
  const next: Record<string, ReadonlyArray<readonly [number, number]>> = { ...a };
  for (const [key, points] of Object.entries(b)) {
    let merged = next[key] ?? [];
    for (const [t, v] of points) merged = withPoint(merged, t, v);
    next[key] = merged;
  }
  if (Object.keys(next).some((k) => k !== UNKEYED)) delete next[UNKEYED];
  return bounded(next);
}

/** The account's MRR just after every event at `t` (inclusive) or just before `t` (exclusive). */
export function accountMrrAt(subs: SubscriptionMrr, t: number, inclusive = true): number {
  let sum = 0;
  for (const points of Object.values(subs)) {
    let value = 0;
    for (const [at, v] of points) if (inclusive ? at <= t : at < t) value = v;
    sum += value;
  }
  return sum;
}

/** [time, account MRR after] at every point time of any subscription, the newest `max`. */
export function accountMrrHistory(subs: SubscriptionMrr, max: number): Array<[number, number]> {
  const times = [...new Set(Object.values(subs).flatMap((points) => points.map(([t]) => t)))].sort(
    (a, b) => a - b,
  );
  return times.slice(-max).map((t) => [t, accountMrrAt(subs, t)] as [number, number]);
}

export const hasMrrData = (subs: SubscriptionMrr): boolean => Object.keys(subs).length > 0;

/** An event at `t` that the journey map calls a churn is one only if the account's MRR is 0 after
 *  it (a cancellation of one subscription among several is a contraction). Without any MRR data
 *  the map's rule alone decides. */
export const churnsAccount = (subs: SubscriptionMrr, t: number): boolean =>
  !hasMrrData(subs) || accountMrrAt(subs, t) === 0;

/** An event at `t` that the map calls a reactivation is one only if it takes the account's MRR
 *  from 0 above 0 (a trial starting is not; a second subscription while the first runs is not). */
export const reactivatesAccount = (subs: SubscriptionMrr, t: number): boolean =>
  !hasMrrData(subs) || (accountMrrAt(subs, t, false) === 0 && accountMrrAt(subs, t) > 0);
