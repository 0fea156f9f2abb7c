// The ground truth of a generated workload, recorded as messages leave the generator (so it
// describes exactly the stream that was yielded, including what a cut-off left out). JSON-safe.
import type { AccountTraits } from './account-traits.ts';
import type { Topic, Variant } from './workload-message.ts';
import type { Channel } from './workload-profile.ts';

export interface TruePerson {
  accountId: string;
  anonymousIds: string[];
  emails: string[];
  deviceIds: string[];
}

export interface TrueAccount {
  members: string[];
  /** Acquisition channel; null for accounts that signed up before the history. */
  channel: Channel | null;
  plan: AccountTraits['plan'];
  employees: number;
  industry: string;
  hot: boolean;
}

export interface ChannelFunnel {
  /** Planted conditional rate of each step given the previous one (control variant). */
  planted: number[];
  visitors: number;
  plantedSignupRate: number;
  signedUp: number;
  /** Accounts that did each FUNNEL_STEPS step (as yielded). */
  reached: number[];
}

export interface VariantTruth {
  /** Planted activation probability averaged over the exposed accounts' channels. */
  plantedActivationRate: number;
  exposed: number;
  activated: number;
}

export interface TrueChurner {
  accountId: string;
  /** When usage started to decay (null: involuntary churn after failed payments). */
  decayStartMs: number | null;
  churnedMs: number;
  reason: 'voluntary' | 'payment_failed';
  feedback: string;
  comment: string | null;
}

export interface GroundTruth {
  profile: string;
  seed: number;
  startMs: number;
  /** Send time of the last yielded message. */
  endMs: number;
  messages: { total: number; valid: number; malformed: number; duplicates: number; late: number };
  /** Valid events per topic, duplicates not counted. */
  validEventsByTopic: Record<Topic, number>;
  distinctValidEventIds: number;
  malformedByReason: Record<string, number>;
  /** Every malformed message: position in the stream (0-based, all messages), topic, reason. */
  malformedMessages: Array<{ index: number; topic: Topic; reason: string; kind: string }>;
  /** Persons and accounts of a sample of accounts (all of them unless sampleRate < 1). */
  sampleRate: number;
  persons: Record<string, TruePerson>;
  accounts: Record<string, TrueAccount>;
  funnel: { steps: string[]; byChannel: Record<Channel, ChannelFunnel> };
  experiment: { id: string; plantedRelativeLift: number; variants: Record<Variant, VariantTruth> };
  churners: TrueChurner[];
  /** Planted churners still decaying (not cancelled yet) at endMs. */
  decaying: Array<{ accountId: string; decayStartMs: number; plannedChurnMs: number }>;
  trialsExpired: string[];
  /** Accounts paying at endMs (including decaying ones). */
  retained: string[];
}
