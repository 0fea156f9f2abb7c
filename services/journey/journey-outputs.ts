// What a journey batch (or a wall-clock tick, or a batch of operator commands) produced for the
// store, typed: the identity graph's rows (the identity core owns their shape), the identity
// changes, the resolved events, the journey effects with the state they were announced in, churn
// scores, alerts and outcomes, and the account snapshots. The sink alone turns them into table
// rows (services/sink/rows/journey-rows.ts); the journey never names a table.
import type { AccountState } from './account-state.ts';
import type { JourneyEffect } from './journey-effects.ts';
import type { JourneyStepOutput } from './apply-journey-step.ts';
import type {
  AccountRow,
  IdentityEffect,
  IdentityMapRow,
  PersonOverrideRow,
} from '../identity/identity-effects.ts';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { JourneyBatchResult } from './journey-pipeline.ts';

export type AccountSnapshot =
  | { kind: 'state'; state: AccountState; version: number; asOf: number }
  /** Folded into a survivor or deleted: a newer row marks its last snapshot deleted. */
  | { kind: 'deleted'; key: string; version: number };

export interface JourneyOutputs {
  identityMap: IdentityMapRow[];
  personOverrides: PersonOverrideRow[];
  accounts: AccountRow[];
  /** Merges, refusals, splits, deletions; `anonymous`: the audit row names no person (a deletion). */
  identityChanges: Array<{ effect: IdentityEffect; anonymous: boolean }>;
  /** The events to store, resolved. */
  events: JourneyEvent[];
  /** Each effect with its account's state when the batch ended (segment, plan, channel, cohort). */
  journeyEffects: Array<{ effect: JourneyEffect; state: AccountState | undefined }>;
  scores: JourneyStepOutput['scores'];
  alerts: JourneyStepOutput['alerts'];
  /** With the MRR the account bore just before it churned (after it, the sum is 0). */
  outcomes: Array<{ outcome: JourneyStepOutput['outcomes'][number]; mrrBeforeCents: number }>;
  snapshots: AccountSnapshot[];
}

export const emptyOutputs = (): JourneyOutputs => ({
  identityMap: [],
  personOverrides: [],
  accounts: [],
  identityChanges: [],
  events: [],
  journeyEffects: [],
  scores: [],
  alerts: [],
  outcomes: [],
  snapshots: [],
});

/** A batch result with nothing in it yet; the stages' results extend it. */
export const emptyBatchResult = (): JourneyBatchResult => ({
  messages: [],
  changelog: [],
  checkpoint: [],
  outputs: emptyOutputs(),
  counts: new Map(),
  effects: [],
});
