// Everything fixed about an account, derived from (seed, index) alone so the bench profile never
// has to hold its users: name, domain, ICP traits (employees, industry), user count (Pareto),
// hot flag, acquisition channel, experiment variant, billing ids.
import { hash32, hex32, Rng } from './prng.ts';
import type { Variant } from './workload-message.ts';
import type { Channel, WorkloadProfile } from './workload-profile.ts';
import { CHANNELS } from './workload-profile.ts';

export const TAG = {
  account: 1,
  person: 2,
  anonymous: 3,
  device: 4,
  email: 5,
  journey: 6,
  truth: 7,
  arrivals: 8,
  injections: 9,
} as const;

export type Plan = 'starter' | 'team' | 'business' | 'enterprise';

/** Price per seat and month in cents. */
export const PLAN_PRICE_CENTS: Readonly<Record<Plan, number>> = {
  starter: 1_500,
  team: 3_000,
  business: 6_000,
  enterprise: 12_000,
};

const INDUSTRIES = [
  'software',
  'fintech',
  'healthcare',
  'retail',
  'manufacturing',
  'media',
  'education',
  'logistics',
];
const NAME_HEADS = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Vandelay',
  'Stark',
  'Wayne',
  'Tyrell',
  'Soylent',
  'Cyberdyne',
  'Wonka',
  'Aperture',
  'Massive',
  'Oscorp',
  'Pied',
];
const NAME_TAILS = [
  'Labs',
  'Systems',
  'Group',
  'Works',
  'Analytics',
  'Cloud',
  'Health',
  'Logistics',
  'Media',
  'Partners',
];

export interface AccountTraits {
  index: number;
  accountId: string;
  name: string;
  domain: string;
  industry: string;
  employees: number;
  plan: Plan;
  userCount: number;
  hot: boolean;
  /** Multiplier on usage rates: > 1 for hot accounts. */
  activity: number;
  channel: Channel;
  variant: Variant;
  customerId: string;
  subscriptionId: string;
}

export function planFor(employees: number): Plan {
  if (employees < 20) return 'starter';
  if (employees < 100) return 'team';
  if (employees < 1000) return 'business';
  return 'enterprise';
}

/** Activity factor that makes a hotShare of accounts carry trafficShare of the traffic. */
export function hotFactor(hotShare: number, trafficShare: number): number {
  if (hotShare <= 0 || hotShare >= 1 || trafficShare <= hotShare) return 1;
  return (trafficShare * (1 - hotShare)) / (hotShare * (1 - trafficShare));
}

export function deriveAccount(seed: number, index: number, profile: WorkloadProfile): AccountTraits {
  const rng = new Rng(seed, TAG.account, index);
  const tag = hex32(hash32(seed, TAG.account, index, 1)).slice(0, 6);
  const head = rng.pick(NAME_HEADS);
  const tail = rng.pick(NAME_TAILS);
  const employees = Math.min(20_000, Math.max(2, Math.floor(5 * Math.pow(1 - rng.float(), -1 / 1.1))));
  const { min, alpha, max } = profile.users;
  const userCount = Math.min(max, Math.floor(min * Math.pow(1 - rng.float(), -1 / (alpha - 1))));
  const hot = rng.chance(profile.hotAccountShare);
  const channelIndex = rng.weighted(CHANNELS.map((c) => profile.channelWeights[c]));
  const id36 = index.toString(36);
  return {
    index,
    accountId: `acct_${id36}${tag}`,
    name: `${head} ${tail}`,
    domain: `${head.toLowerCase()}-${tail.toLowerCase()}-${tag}.example`,
    industry: rng.pick(INDUSTRIES),
    employees,
    plan: planFor(employees),
    userCount,
    hot,
    activity: hot ? hotFactor(profile.hotAccountShare, profile.hotTrafficShare) : 1,
    channel: CHANNELS[channelIndex] as Channel,
    variant: rng.chance(0.5) ? 'treatment' : 'control',
    customerId: `cus_${tag}${id36}`,
    subscriptionId: `sub_${tag}${id36}`,
  };
}
