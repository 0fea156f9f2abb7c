// The mutable state of one simulated account (a prospect until it signs up) and its timers.
// Small on purpose: users are derived from (seed, account, user index) when needed, so an
// account costs a few hundred bytes however many users it has.
import type { AccountTraits } from './account-traits.ts';
import { deriveAccount, TAG } from './account-traits.ts';
import type { SubscriptionState } from './billing-payload.ts';
import type { PersonIds } from './person-ids.ts';
import { Rng } from './prng.ts';
import type { WorkloadProfile } from './workload-profile.ts';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

export type TimerName =
  | 'visit'
  | 'step'
  | 'session'
  | 'join'
  | 'trialEnd'
  | 'invoice'
  | 'seatChange'
  | 'ticket'
  | 'survey'
  | 'cancel';

export type Phase = 'prospect' | 'trial' | 'paying' | 'ended';

export interface AccountState {
  traits: AccountTraits;
  rng: Rng;
  established: boolean;
  phase: Phase;
  willSignUp: boolean;
  visitsPlanned: number;
  visitsDone: number;
  joined: number;
  signupMs: number;
  /** Funnel steps the founder will complete (decided at sign-up) and has completed so far. */
  fateSteps: number;
  reachedSteps: number;
  expanded: boolean;
  sub: SubscriptionState;
  decayStartMs: number | null;
  failedAttempts: number;
  invoiceSeq: number;
  nextCycleMs: number;
  ticketSeq: number;
  timers: Record<TimerName, number>;
  /** The last user derived during the current wake (cleared after it, to stay small). */
  personCache: { userIndex: number; ids: PersonIds } | undefined;
}

function noTimers(): Record<TimerName, number> {
  return {
    visit: Infinity,
    step: Infinity,
    session: Infinity,
    join: Infinity,
    trialEnd: Infinity,
    invoice: Infinity,
    seatChange: Infinity,
    ticket: Infinity,
    survey: Infinity,
    cancel: Infinity,
  };
}

export function newState(seed: number, index: number, profile: WorkloadProfile): AccountState {
  const traits = deriveAccount(seed, index, profile);
  return {
    traits,
    rng: new Rng(seed, TAG.journey, index),
    established: false,
    phase: 'prospect',
    willSignUp: false,
    visitsPlanned: 0,
    visitsDone: 0,
    joined: 0,
    signupMs: 0,
    fateSteps: 0,
    reachedSteps: 0,
    expanded: false,
    sub: {
      subscriptionId: traits.subscriptionId,
      customerId: traits.customerId,
      accountId: traits.accountId,
      userId: '',
      plan: traits.plan,
      seats: 1,
      status: 'trialing',
      trialEndMs: null,
    },
    decayStartMs: null,
    failedAttempts: 0,
    invoiceSeq: 0,
    nextCycleMs: Infinity,
    ticketSeq: 0,
    timers: noTimers(),
    personCache: undefined,
  };
}

/** A prospect arriving at arrivalMs: 1-3 marketing-site visits, then maybe a sign-up. */
export function newProspect(
  seed: number,
  index: number,
  profile: WorkloadProfile,
  arrivalMs: number,
): AccountState {
  const state = newState(seed, index, profile);
  state.willSignUp = state.rng.chance(profile.signupRate[state.traits.channel]);
  state.visitsPlanned = state.rng.int(1, 3);
  state.timers.visit = arrivalMs;
  return state;
}

export function nextCycleAfter(ms: number): number {
  return ms + 30 * DAY_MS;
}
