// How accounts churn in the churn-mechanism workloads, and what healthy accounts do that looks like
// churn without being it. Written apart from the main generator (account-lifecycle.ts) and on
// purpose unlike it: churn here is planted by one named mechanism per account, each reaching the
// pipeline through a different layer (product usage, seats, billing, support, surveys) or through
// none. Pure: an account's plan is drawn from its own Rng, and the day loop reads it.
import type { Rng } from '../prng.ts';

export const CHURN_MECHANISMS = [
  'champion_leaves', // the admin stops using the product weeks before the cancellation
  'seat_shrink', // users drop out one by one, then the seat count is cut
  'failed_payments', // a card that keeps failing ends the subscription (involuntary churn)
  'silent_decay', // every user's usage fades over two months, no complaint anywhere
  'voice', // urgent tickets and detractor NPS answers, usage barely changes
  'no_warning', // cancels with nothing in any signal beforehand
] as const;
export type ChurnMechanism = (typeof CHURN_MECHANISMS)[number];

/** What healthy accounts do that a naive rule reads as churn. */
export interface Distractions {
  /** Share of accounts that take a two-week break (usage x0.15) at a random time. */
  vacation: number;
  /** Share with one failed payment, paid three days later (an expired card). */
  cardExpired: number;
  /** Share with one or two urgent tickets and a detractor NPS answer. */
  grumpy: number;
  /** Share whose admin leaves and hands over to another user. */
  handover: number;
  /** Usage x0.15 from Dec 22 to Jan 2 for every account (the year-end holiday). */
  holiday: boolean;
}

export interface MechanismWorkloadSpec {
  name: string;
  /** What the workload is for, in one line (printed with its results). */
  description: string;
  accounts: number;
  days: number;
  /** Share of accounts that cancel inside the window. */
  churnShare: number;
  /** Relative weight of each mechanism among the churners. */
  mechanisms: Partial<Record<ChurnMechanism, number>>;
  distractions: Distractions;
  /** Which layers are sent at all: without tickets or surveys those topics stay empty; without
   * invoices only the subscription's creation, seat changes and cancellation are. */
  streams: { tickets: boolean; surveys: boolean; invoices: boolean };
}

const DAY_MS = 86_400_000;

export interface UserPlan {
  /** Chance of being active on a weekday (a tenth of it on weekends). */
  base: number;
  /** First day the user is no longer active (Infinity = never stops). */
  stopDay: number;
  /** Day an identify call makes this user an admin (Infinity = never). */
  adminFromDay: number;
}

export interface AccountPlan {
  index: number;
  seats: number;
  users: UserPlan[];
  /** The day the subscription ends (Infinity = stays). */
  cancelDay: number;
  mechanism: ChurnMechanism | null;
  /** Days [from, to) of a vacation dip, or null. */
  vacation: [number, number] | null;
  /** Usage multiplier applied over [decayFrom, cancelDay) falling linearly to 0.15. */
  decayFrom: number;
  /** Day the paid seats are cut to `shrunkSeats`. */
  shrinkDay: number;
  shrunkSeats: number;
  /** Days with a failed invoice payment (and whether a retry later succeeds). */
  failedPaymentDays: number[];
  recoveredPaymentDay: number | null;
  /** [day, priority] of every ticket; [day, score, user] of every NPS answer. */
  tickets: Array<[number, 'LOW' | 'NORMAL' | 'HIGH' | 'URGENT']>;
  nps: Array<[number, number, number]>;
}

const never = Number.POSITIVE_INFINITY;

/** The cancellation day for a mechanism: late enough for two months of history before it. */
function cancelDayFor(rng: Rng, spec: MechanismWorkloadSpec, mechanism: ChurnMechanism): number {
  if (mechanism === 'failed_payments') {
    // The invoice of a monthly cycle fails, is retried weekly, and the subscription ends after the
    // third retry (Stripe's smart-retry default ends in cancellation).
    const cycles = [];
    for (let c = 60; c + 21 <= spec.days - 3; c += 30) cycles.push(c);
    return rng.pick(cycles) + 21;
  }
  return rng.int(60, spec.days - 3);
}

export function planAccount(rng: Rng, index: number, spec: MechanismWorkloadSpec): AccountPlan {
  const seats = rng.int(3, 18);
  const users: UserPlan[] = Array.from({ length: Math.max(2, seats - rng.int(0, 2)) }, (_, i) => ({
    base: i === 0 ? rng.between(0.7, 0.9) : rng.between(0.3, 0.85),
    stopDay: never,
    adminFromDay: i === 0 ? 0 : never,
  }));
  const plan: AccountPlan = {
    index,
    seats,
    users,
    cancelDay: never,
    mechanism: null,
    vacation: null,
    decayFrom: never,
    shrinkDay: never,
    shrunkSeats: seats,
    failedPaymentDays: [],
    recoveredPaymentDay: null,
    tickets: [],
    nps: [],
  };
  const d = spec.distractions;
  // Background that every account has: a few ordinary tickets and occasional NPS answers.
  for (let day = rng.int(0, 40); day < spec.days; day += rng.int(25, 70))
    plan.tickets.push([day, rng.chance(0.2) ? 'HIGH' : rng.pick(['LOW', 'NORMAL'] as const)]);
  for (let day = rng.int(5, 60); day < spec.days; day += rng.int(60, 120))
    plan.nps.push([day, rng.weighted([0, 0, 0, 0, 0, 1, 2, 4, 8, 8, 6]), rng.int(0, users.length - 1)]);
  if (rng.chance(d.vacation)) {
    const from = rng.int(20, spec.days - 20);
    plan.vacation = [from, from + rng.int(10, 14)];
  }
  if (rng.chance(d.cardExpired)) {
    const cycle = 30 * rng.int(1, Math.floor((spec.days - 10) / 30));
    plan.failedPaymentDays.push(cycle);
    plan.recoveredPaymentDay = cycle + 3;
  }
  if (rng.chance(d.grumpy)) {
    const day = rng.int(30, spec.days - 5);
    for (let i = rng.int(1, 2); i > 0; i--) plan.tickets.push([day + rng.int(0, 10), 'URGENT']);
    plan.nps.push([day + rng.int(0, 10), rng.int(0, 5), rng.int(0, users.length - 1)]);
  }
  if (rng.chance(d.handover) && users.length >= 3) {
    const day = rng.int(40, spec.days - 10);
    users[0]!.stopDay = day;
    users[1]!.adminFromDay = day - rng.int(1, 7);
  }

  if (!rng.chance(spec.churnShare)) return plan;
  const names = Object.keys(spec.mechanisms) as ChurnMechanism[];
  const mechanism = names[rng.weighted(names.map((m) => spec.mechanisms[m] ?? 0))]!;
  const cancel = cancelDayFor(rng, spec, mechanism);
  plan.mechanism = mechanism;
  plan.cancelDay = cancel;
  switch (mechanism) {
    case 'champion_leaves':
      users[0]!.stopDay = cancel - rng.int(20, 45);
      for (const u of users.slice(1)) u.base *= 0.8;
      break;
    case 'seat_shrink':
      for (const u of users.slice(1)) if (rng.chance(0.6)) u.stopDay = rng.int(cancel - 55, cancel - 10);
      plan.shrinkDay = cancel - rng.int(15, 30);
      plan.shrunkSeats = Math.max(1, Math.ceil(seats * 0.5));
      break;
    case 'failed_payments':
      plan.failedPaymentDays = [cancel - 21, cancel - 14, cancel - 7];
      plan.recoveredPaymentDay = null;
      break;
    case 'silent_decay':
      plan.decayFrom = cancel - rng.int(45, 70);
      break;
    case 'voice':
      for (let i = rng.int(2, 4); i > 0; i--)
        plan.tickets.push([cancel - rng.int(3, 35), rng.chance(0.7) ? 'URGENT' : 'HIGH']);
      for (let i = rng.int(1, 2); i > 0; i--)
        plan.nps.push([cancel - rng.int(5, 40), rng.int(0, 4), rng.int(0, users.length - 1)]);
      for (const u of users) u.base *= 0.9;
      break;
    case 'no_warning':
      break;
  }
  plan.tickets = plan.tickets.filter(([day]) => day < cancel);
  plan.nps = plan.nps.filter(([day]) => day < cancel);
  return plan;
}

/** Whether the year-end holiday covers this day (Dec 22 - Jan 2). */
function isHoliday(dayMs: number): boolean {
  const date = new Date(dayMs);
  const m = date.getUTCMonth();
  const d = date.getUTCDate();
  return (m === 11 && d >= 22) || (m === 0 && d <= 2);
}

/** Chance that a user is active on a day. */
export function activeChance(
  plan: AccountPlan,
  user: UserPlan,
  day: number,
  startMs: number,
  spec: MechanismWorkloadSpec,
): number {
  if (day >= user.stopDay || day >= plan.cancelDay) return 0;
  const dayMs = startMs + day * DAY_MS;
  const weekday = new Date(dayMs).getUTCDay();
  let p = user.base * (weekday === 0 || weekday === 6 ? 0.1 : 1);
  if (spec.distractions.holiday && isHoliday(dayMs)) p *= 0.15;
  if (plan.vacation !== null && day >= plan.vacation[0] && day < plan.vacation[1]) p *= 0.15;
  if (day >= plan.decayFrom)
    p *= 1 - 0.85 * Math.min(1, (day - plan.decayFrom) / Math.max(1, plan.cancelDay - plan.decayFrom));
  return p;
}
