// Per-account (or, before an account is known, per-person) journey state: plain JSON data with
// bounded collections, so a busy account stays under 4 KB serialised (SPEC §7).
// Two kinds of fields:
//  - FACTS, order-insensitive merges of the events seen (min for firsts, max for lasts, sets,
//    last-writer-wins by (event time, value)): any arrival order gives the same facts;
//  - SETTLED fields (stage, stageEnteredAt, stageEntries, the emitted-* bookkeeping): what the
//    reducer has announced as effects, up to the watermark `now`. See docs/journey.md.
import type { SubscriptionMrr } from './account-mrr.ts';
import type { ChurnAlertState } from '../churn/churn-alert-state.ts';

export const DAY_MS = 86_400_000;
export const MAX_WEEKS = 12;
export const MAX_DAY_FIRSTS = 7;
export const MAX_FEATURES = 24;
export const MAX_NAME_LENGTH = 32;
export const MAX_MEMBERS = 48;
export const MAX_MRR_HISTORY = 12;
export const MAX_RECENT = 12;
/** Touches kept for the last touch before sign-up (see touchesBeforeSignup). */
export const MAX_TOUCHES = 4;
export const MAX_EXPERIMENTS = 6;
export const MAX_BILLING_CHANGES = 4;
export const MAX_TEXT_LENGTH = 200;

export interface Touch {
  channel: string;
  source: string;
  campaign: string;
  at: number;
}

/** One week of activity: [week number (Monday-based), active-day bits (bit 0 = Monday),
 * 32-slot linear-counting sketch of the persons active that week]. */
export type WeekActivity = [week: number, dayBits: number, userBits: number];

export interface AccountState {
  key: string; // account_id, or person_id before an account is known
  kind: 'account' | 'person';
  mapVersion: number;

  // ---- settled: what the effects have announced ----
  stage: string;
  stageEnteredAt: number;
  /** First entry time of every stage reached. */
  stageEntries: Record<string, number>;
  /** The stage whose stall fired for its current entry (cleared by every transition). */
  stalledStage: string | null;
  /** Set while in the churned stage: when the churn that put it there happened. */
  churnedAt: number | null;
  emittedActivation: boolean;
  /** Bit i set = funnel step i announced. */
  emittedFunnel: number;
  /** The reactivation that last brought the account back from churned (churns before it are spent). */
  reactivatedAt: number | null;

  // ---- stage facts ----
  /** Earliest matching conversion event per ordinary stage: [time, event name]. */
  conversions: Record<string, [number, string]>;
  /** Earliest time each entry condition ("stage#i") happened. */
  entryMet: Record<string, number>;
  /** Churn and reactivation times (the newest MAX_BILLING_CHANGES of each). */
  churnTimes: number[];
  reactivationTimes: number[];
  /** Open churn-risk episode (set by the timer, always at a midnight), null otherwise. */
  riskSince: number | null;
  riskSignal: 'inactivity' | 'usage_drop' | null;
  lastRiskExitAt: number | null;

  // ---- activity facts ----
  firstSeenAt: number;
  lastActivityAt: number;
  maxEventTime: number;
  weeks: WeekActivity[];
  /** Earliest activity time of each of the last MAX_DAY_FIRSTS active days (for risk exits). */
  dayFirsts: number[];
  /** Short person key -> last active epoch day; the newest MAX_MEMBERS. */
  members: Record<string, number>;
  features: string[];

  // ---- acquisition / activation facts ----
  firstTouch: Touch | null;
  /** Candidates for the last touch before sign-up (fact-order.ts touchesBeforeSignup). */
  touches: Touch[];
  lastTouchBeforeSignup: Touch | null;
  signupAt: number | null;
  activatedAt: number | null;
  /** Key-action times still able to complete an activation window (one per day if distinct). */
  keyActions: number[];
  funnel: Record<string, number>;
  /** Champion: the admin, else the person who signed up. [person id, at, is admin]. */
  champion: string | null;
  championSince: [number, boolean] | null;

  // ---- segment, billing, voice, support, experiments ----
  segment: string;
  traits: Record<string, string | number | boolean>;
  traitTimes: Record<string, number>;
  plan: string | null;
  planAt: number;
  seats: number | null;
  seatsAt: number;
  /** The account's MRR now: the sum of its subscriptions' latest values (account-mrr.ts). */
  mrrCents: number;
  /** [event time, account MRR after] newest MAX_MRR_HISTORY, by time (from subscriptionMrr). */
  mrrHistory: Array<[number, number]>;
  /** Each subscription's own MRR points (account-mrr.ts): the account's MRR is their sum. */
  subscriptionMrr: SubscriptionMrr;
  contractionTimes: number[];
  failedPaymentTimes: number[];
  failedPayments: number;
  cancelReason: string | null;
  cancelReasonAt: number;
  ticketTimes: number[];
  urgentTicketTimes: number[];
  tickets: number;
  nps: number | null;
  npsAt: number;
  csat: number | null;
  csatAt: number;
  experiments: Record<string, string>;
  experimentsAt: Record<string, number>;

  /** Churn alert state (services/churn), null until first scored. */
  churn: ChurnAlertState | null;
  /** The event times of the billing, ticket and survey events whose re-scores wait for every input
   *  to reach them (rescore-account.ts), the newest MAX_RECENT. */
  rescoresDue: number[];
}

export function newAccountState(
  key: string,
  kind: AccountState['kind'],
  at: number,
  firstStage: string,
  mapVersion: number,
): AccountState {
  return {
    key,
    kind,
    mapVersion,
    stage: firstStage,
    stageEnteredAt: at,
    stageEntries: { [firstStage]: at },
    stalledStage: null,
    churnedAt: null,
    emittedActivation: false,
    emittedFunnel: 0,
    reactivatedAt: null,
    conversions: {},
    entryMet: {},
    churnTimes: [],
    reactivationTimes: [],
    riskSince: null,
    riskSignal: null,
    lastRiskExitAt: null,
    firstSeenAt: at,
    lastActivityAt: at,
    maxEventTime: at,
    weeks: [],
    dayFirsts: [],
    members: {},
    features: [],
    firstTouch: null,
    touches: [],
    lastTouchBeforeSignup: null,
    signupAt: null,
    activatedAt: null,
    keyActions: [],
    funnel: {},
    champion: null,
    championSince: null,
    segment: '',
    traits: {},
    traitTimes: {},
    plan: null,
    planAt: 0,
    seats: null,
    seatsAt: 0,
    mrrCents: 0,
    mrrHistory: [],
    contractionTimes: [],
    failedPaymentTimes: [],
    failedPayments: 0,
    cancelReason: null,
    cancelReasonAt: 0,
    ticketTimes: [],
    urgentTicketTimes: [],
    tickets: 0,
    nps: null,
    npsAt: 0,
    csat: null,
    csatAt: 0,
    experiments: {},
    experimentsAt: {},
    churn: null,
    subscriptionMrr: {},
    rescoresDue: [],
  };
}

export const dayOf = (t: number): number => Math.floor(t / DAY_MS);
/** Monday-based week number (1970-01-01 was a Thursday). */
export const weekOfDay = (day: number): number => Math.floor((day + 3) / 7);
export const weekdayOf = (day: number): number => (day + 3) % 7;
export const minOrNull = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);
export const maxOrNull = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.max(a, b);
