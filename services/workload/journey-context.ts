// What an account's handlers need besides its state: the seed, the profile, and where to put the
// messages they produce (the generator's time queue). Plus the emit helpers every handler uses.
import type { AccountState } from './account-state.ts';
import type { PersonIds } from './person-ids.ts';
import { derivePerson } from './person-ids.ts';
import { hash32 } from './prng.ts';
import type { SegmentInput } from './segment-messages.ts';
import { segmentMessage } from './segment-messages.ts';
import type { Milestone, PendingMessage, PersonLink, Topic } from './workload-message.ts';
import type { WorkloadProfile } from './workload-profile.ts';

export interface JourneyContext {
  seed: number;
  profile: WorkloadProfile;
  push(pending: PendingMessage): void;
  /** World knowledge for the ground truth: this account was planted as a churner. */
  plantChurn(accountId: string, decayStartMs: number, plannedChurnMs: number): void;
}

const USER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
];

export function person(ctx: JourneyContext, state: AccountState, userIndex: number): PersonIds {
  const cached = state.personCache;
  if (cached !== undefined && cached.userIndex === userIndex) return cached.ids;
  const ids = derivePerson(ctx.seed, state.traits, userIndex, ctx.profile);
  state.personCache = { userIndex, ids };
  return ids;
}

/** The network and browser of one device. */
export function deviceOf(ctx: JourneyContext, state: AccountState, userIndex: number, device: number) {
  const h = hash32(ctx.seed, state.traits.index, userIndex, device, 0x1d);
  return {
    ip: `10.${(h >>> 16) & 255}.${(h >>> 8) & 255}.${h & 255}`,
    userAgent: USER_AGENTS[device % USER_AGENTS.length] as string,
  };
}

export type BehaviorInput = Omit<SegmentInput, 'messageId' | 'sendTimeMs' | 'ip' | 'userAgent'> & {
  userIndex: number;
  device: number;
};

/** A Segment message at eventTimeMs; a share of them is sent late (mobile offline batches). */
export function emitBehavior(
  ctx: JourneyContext,
  state: AccountState,
  input: BehaviorInput,
  link?: Omit<PersonLink, 'accountIndex' | 'accountId'>,
  milestone?: Milestone,
): void {
  const rng = state.rng;
  const late = rng.chance(ctx.profile.lateShare);
  const sendTimeMs = late
    ? input.eventTimeMs + Math.ceil(rng.between(1_000, ctx.profile.maxLatenessMs))
    : input.eventTimeMs;
  const messageId = rng.uuid();
  const { userIndex, device, ...fields } = input;
  const value = segmentMessage({
    ...fields,
    ...deviceOf(ctx, state, userIndex, device),
    messageId,
    sendTimeMs,
  });
  const pending: PendingMessage = {
    message: {
      topic: 'behavior',
      key: input.accountId ?? input.userId ?? input.anonymousId ?? messageId,
      value,
      encoding: 'json',
      eventTimeMs: input.eventTimeMs,
      sendTimeMs,
      eventId: `behavior:${messageId}`,
      ...(late ? { late: true as const } : {}),
    },
  };
  if (link !== undefined) {
    pending.person = { accountIndex: state.traits.index, accountId: state.traits.accountId, ...link };
  }
  if (milestone !== undefined) pending.milestone = milestone;
  ctx.push(pending);
}

/** A tickets / surveys / billing message (Avro by default; the generator flips a share to JSON). */
export function emitRecord(
  ctx: JourneyContext,
  state: AccountState,
  topic: Exclude<Topic, 'behavior'>,
  value: Record<string, unknown>,
  eventTimeMs: number,
  eventId: string,
  milestone?: Milestone,
  link?: Omit<PersonLink, 'accountIndex' | 'accountId'>,
): void {
  const pending: PendingMessage = {
    message: {
      topic,
      key: state.traits.accountId,
      value,
      encoding: 'avro',
      eventTimeMs,
      sendTimeMs: eventTimeMs,
      eventId,
    },
  };
  if (milestone !== undefined) pending.milestone = milestone;
  if (link !== undefined) {
    pending.person = { accountIndex: state.traits.index, accountId: state.traits.accountId, ...link };
  }
  ctx.push(pending);
}
