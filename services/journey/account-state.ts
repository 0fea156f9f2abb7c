// Per-account (or, before an account is known, per-person) journey state. Plain JSON-serialisable
// data with bounded collections, so a busy account stays well under 4 KB serialised.

import type { ChurnAlertState } from '../churn/churn-alert-state.ts';

export const DAY_MS = 86_400_000;
export const MAX_ACTIVE_DAYS = 56; // 8 weeks of distinct active days
export const MAX_FEATURES = 40;
export const MAX_MEMBERS = 50;
export const MAX_MRR_HISTORY = 12;
export const MAX_RECENT = 20;

export interface Touch {
  channel: string;
  source: string;
  campaign: string;
  at: number;
}

export interface AccountState {
  key: string; // account_id, or person_id before an account is known
  kind: 'account' | 'person';
  mapVersion: number;
  stage: string;
  stageEnteredAt: number;
  /** First entry time of every stage reached. */
  stageEntries: Record<string, number>;
  stalledStage: string | null;
  firstSeenAt: number;
  lastActivityAt: number;
  /** Max event time applied (the account's own event-time clock). */
  maxEventTime: number;
  firstTouch: Touch | null;
  lastTouchBeforeSignup: Touch | null;
  signupAt: number | null;
  activatedAt: number | null;
  /** Distinct days (epoch day numbers) with the activation event, earliest first, bounded. */
  keyActionDays: number[];
  keyActionTimes: number[];
  /** Distinct active days, bounded to the last MAX_ACTIVE_DAYS. */
  activeDays: number[];
  funnel: Record<string, number>;
  features: string[];
  /** person_id -> last active epoch day */
  members: Record<string, number>;
  segment: string;
  traits: { employees?: number; industry?: string; name?: string };
  plan: string | null;
  seats: number | null;
  mrrCents: number;
  mrrHistory: Array<[number, number]>;
  ticketTimes: number[];
  urgentTicketTimes: number[];
  nps: number | null;
  csat: number | null;
  failedPaymentTimes: number[];
  contractions: number;
  cancelReason: string | null;
  churnedAt: number | null;
  experiments: Record<string, string>;
  /** The person who signed up: the account's champion for champion-inactivity. */
  champion: string | null;
  /** Churn alert state (services/churn), null until first scored. */
  churn: ChurnAlertState | null;
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
    firstSeenAt: at,
    lastActivityAt: at,
    maxEventTime: at,
    firstTouch: null,
    lastTouchBeforeSignup: null,
    signupAt: null,
    activatedAt: null,
    keyActionDays: [],
    keyActionTimes: [],
    activeDays: [],
    funnel: {},
    features: [],
    members: {},
    segment: '',
    traits: {},
    plan: null,
    seats: null,
    mrrCents: 0,
    mrrHistory: [],
    ticketTimes: [],
    urgentTicketTimes: [],
    nps: null,
    csat: null,
    failedPaymentTimes: [],
    contractions: 0,
    cancelReason: null,
    churnedAt: null,
    experiments: {},
    champion: null,
    churn: null,
  };
}

/** Inserts into a sorted list of numbers without duplicates, keeping the newest `max`. */
export function insertSorted(list: number[], value: number, max: number): number[] {
  if (list.includes(value)) return list;
  const next = [...list, value].sort((a, b) => a - b);
  return next.length > max ? next.slice(next.length - max) : next;
}

export function serializeState(state: AccountState): string {
  return JSON.stringify(state);
}

export function deserializeState(text: string): AccountState {
  return JSON.parse(text) as AccountState;
}
