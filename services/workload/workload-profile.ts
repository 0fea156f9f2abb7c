// Workload profiles: every knob of the generator in one typed record. `tiny` is for unit tests,
// `demo` for the local demo (8 weeks, a few hundred accounts), `bench` for the throughput
// benchmark (100k accounts, ~1M users, streamed lazily). See docs/workload.md.

export const CHANNELS = ['paid_search', 'organic_search', 'social', 'email', 'referral', 'direct'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The onboarding funnel after "Signed Up"; the last step is activation. */
export const FUNNEL_STEPS = [
  'Created Project',
  'Invited Teammate',
  'Connected Integration',
  'Created Report',
] as const;

export interface FunnelKnobs {
  /** Conditional rate of each FUNNEL_STEPS step given the previous one (control variant). */
  stepRates: readonly number[];
  /** Per channel factor on every step rate (capped at maxStepRate). */
  channelFactor: Readonly<Record<Channel, number>>;
  maxStepRate: number;
  experimentId: string;
  /** Relative lift of the treatment variant on the last step, hence on activation (0.2 = +20 %). */
  treatmentLift: number;
}

export interface WorkloadProfile {
  name: string;
  /** Accounts that exist when the history starts (signed up and paying before it). */
  establishedAccounts: number;
  /** Each established account's subscription is sent (customer.subscription.updated, no MRR
   *  change) when the history starts, so its MRR is known from day one. Off in `bench`: 95k
   *  billing events at one instant would be a burst the throughput benchmark does not want. */
  subscriptionSnapshots: boolean;
  /** Accounts expected to sign up during the history (prospects are drawn to reach it). */
  newAccounts: number;
  historyDays: number;
  /** New prospects arrive during the first historyDays - quietDays days (funnels complete in time). */
  quietDays: number;
  channelWeights: Readonly<Record<Channel, number>>;
  /** Planted visitor -> sign-up rate per channel. */
  signupRate: Readonly<Record<Channel, number>>;
  funnel: FunnelKnobs;
  /** Users per account: Pareto(min, alpha) rounded down, capped at max. */
  users: { min: number; alpha: number; max: number };
  maxDevicesPerUser: number;
  maxEmailsPerUser: number;
  /** Usage sessions per joined user per day (before hot, decay and inactivity factors). */
  sessionsPerUserDay: number;
  /** Feature Used events per session: uniform in [min, max]. */
  eventsPerSession: { min: number; max: number };
  /** Share of usage sessions that start with an identify call (the SDK's login). */
  identifyPerSession: number;
  hotAccountShare: number;
  /** Share of all traffic the hot accounts carry (sets their activity factor). */
  hotTrafficShare: number;
  trialDays: number;
  /** Trial -> paid conversion for activated / not activated accounts. */
  conversionRate: { activated: number; notActivated: number };
  /** Share of paying accounts planted as churners (usage decays, then they cancel). */
  churnShare: number;
  /** Weeks from the first decay to the cancellation: uniform in [min, max]. */
  decayWeeks: { min: number; max: number };
  invoiceFailureRate: number;
  /** Seat changes (expansion or contraction, each with its proration invoice) per account-week. */
  seatChangesPerAccountWeek: number;
  ticketsPerAccountWeek: number;
  surveysPerAccountWeek: number;
  /** Teammates accepting an invite per account-week (until all its users joined). */
  joinsPerAccountWeek: number;
  /** Share of tickets/surveys/billing messages sent as JSON instead of Avro. */
  jsonShareOfAvroTopics: number;
  lateShare: number;
  maxLatenessMs: number;
  duplicateShare: number;
  malformedShare: number;
  /** Share of persons / accounts whose identifiers are listed in the ground truth (1 = all). */
  truthSampleRate: number;
}

const DAY_MS = 86_400_000;

const BASE: WorkloadProfile = {
  name: 'base',
  establishedAccounts: 0,
  subscriptionSnapshots: true,
  newAccounts: 30,
  historyDays: 56,
  quietDays: 21,
  channelWeights: {
    paid_search: 0.25,
    organic_search: 0.25,
    social: 0.12,
    email: 0.1,
    referral: 0.1,
    direct: 0.18,
  },
  signupRate: {
    paid_search: 0.3,
    organic_search: 0.35,
    social: 0.2,
    email: 0.4,
    referral: 0.45,
    direct: 0.35,
  },
  funnel: {
    stepRates: [0.85, 0.6, 0.65, 0.7],
    channelFactor: {
      paid_search: 0.9,
      organic_search: 1,
      social: 0.8,
      email: 1.05,
      referral: 1.15,
      direct: 1,
    },
    maxStepRate: 0.97,
    experimentId: 'onboarding_checklist_v2',
    treatmentLift: 0.2,
  },
  users: { min: 1, alpha: 2.5, max: 12 },
  maxDevicesPerUser: 5,
  maxEmailsPerUser: 3,
  sessionsPerUserDay: 0.5,
  eventsPerSession: { min: 1, max: 6 },
  identifyPerSession: 0.7,
  hotAccountShare: 0.05,
  hotTrafficShare: 0.3,
  trialDays: 14,
  conversionRate: { activated: 0.8, notActivated: 0.15 },
  churnShare: 0.2,
  decayWeeks: { min: 2, max: 5 },
  invoiceFailureRate: 0.05,
  seatChangesPerAccountWeek: 0.15,
  ticketsPerAccountWeek: 0.4,
  surveysPerAccountWeek: 0.3,
  joinsPerAccountWeek: 2,
  jsonShareOfAvroTopics: 0.1,
  lateShare: 0.01,
  maxLatenessMs: 30 * 60_000,
  duplicateShare: 0.005,
  malformedShare: 0.005,
  truthSampleRate: 1,
};

export const PROFILES: Readonly<Record<'tiny' | 'demo' | 'bench', WorkloadProfile>> = {
  tiny: {
    ...BASE,
    name: 'tiny',
    establishedAccounts: 6,
    newAccounts: 24,
    historyDays: 35,
    quietDays: 14,
    sessionsPerUserDay: 0.7,
  },
  demo: {
    ...BASE,
    name: 'demo',
    establishedAccounts: 80,
    newAccounts: 600,
    users: { min: 1, alpha: 2.3, max: 40 },
    sessionsPerUserDay: 0.4,
  },
  bench: {
    ...BASE,
    name: 'bench',
    establishedAccounts: 95_000,
    subscriptionSnapshots: false,
    newAccounts: 5_000,
    historyDays: 28,
    quietDays: 14,
    users: { min: 4, alpha: 2.5, max: 2_000 },
    sessionsPerUserDay: 0.05,
    eventsPerSession: { min: 6, max: 14 },
    identifyPerSession: 0.85,
    seatChangesPerAccountWeek: 1.6,
    ticketsPerAccountWeek: 0.85,
    surveysPerAccountWeek: 1.2,
    joinsPerAccountWeek: 0.3,
    lateShare: 0.01,
    duplicateShare: 0.005,
    malformedShare: 0.001,
    truthSampleRate: 0.01,
  },
};

export type ProfileName = keyof typeof PROFILES;

/** A named profile with overrides; throws on a name that is not a profile. */
export function resolveProfile(
  profile: ProfileName | WorkloadProfile,
  overrides: Partial<WorkloadProfile> = {},
): WorkloadProfile {
  const base = typeof profile === 'string' ? PROFILES[profile] : profile;
  if (base === undefined) throw new Error(`unknown workload profile "${String(profile)}"`);
  return { ...base, ...overrides };
}

export function historyEndMs(profile: WorkloadProfile, startMs: number): number {
  return startMs + profile.historyDays * DAY_MS;
}
