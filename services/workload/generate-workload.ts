// The workload generator: a deterministic, seeded simulation of accounts through their journey,
// streamed in send-time order from one time queue, in constant memory per event.
//   arrivals -> prospects (visits, sign-up) ┐
//   established accounts                   ├-> account wakes -> messages -> time queue
//                                          ┘   -> encoding, duplicates, malformed -> yield
// The ground truth is recorded as messages are yielded (truth-recorder.ts).
import type { IngestLimits } from '../ingest/ingest-config.ts';
import { DEFAULT_INGEST_LIMITS } from '../ingest/ingest-config.ts';
import type { AccountState } from './account-state.ts';
import { newProspect } from './account-state.ts';
import { TAG } from './account-traits.ts';
import { newEstablished, startEstablished, wakeAccount } from './account-lifecycle.ts';
import { EventHeap } from './event-heap.ts';
import type { GroundTruth } from './ground-truth.ts';
import type { JourneyContext } from './journey-context.ts';
import { malformedMessage } from './malformed-messages.ts';
import { Rng } from './prng.ts';
import { TruthRecorder } from './truth-recorder.ts';
import type { PendingMessage, RawMessage } from './workload-message.ts';
import type { ProfileName, WorkloadProfile } from './workload-profile.ts';
import { CHANNELS, historyEndMs, resolveProfile } from './workload-profile.ts';

const DAY_MS = 86_400_000;
const ARRIVALS = 'arrivals';

export interface WorkloadOptions {
  profile: ProfileName | WorkloadProfile;
  overrides?: Partial<WorkloadProfile>;
  seed: number;
  /** Start of the simulated world (the history's first day). */
  startMs: number;
  /** Yield only messages sent at or after this time (the earlier ones are simulated silently). */
  fromMs?: number;
  /** Stop before the first message sent at or after this time. Default: never. */
  untilMs?: number;
  /** Stop after this many yielded messages. */
  maxMessages?: number;
  limits?: IngestLimits;
}

export interface Workload {
  profile: WorkloadProfile;
  messages: Generator<RawMessage, void, undefined>;
  /** The ground truth of what has been yielded (and silently simulated) so far. */
  truth(): GroundTruth;
}

type QueueItem = PendingMessage | AccountState | typeof ARRIVALS;

function expectedSignupRate(p: WorkloadProfile): number {
  let weight = 0;
  let rate = 0;
  for (const c of CHANNELS) {
    weight += p.channelWeights[c];
    rate += p.channelWeights[c] * p.signupRate[c];
  }
  return weight === 0 ? 1 : rate / weight;
}

export function generateWorkload(options: WorkloadOptions): Workload {
  const profile = resolveProfile(options.profile, options.overrides);
  const { seed, startMs } = options;
  const limits = options.limits ?? DEFAULT_INGEST_LIMITS;
  const truth = new TruthRecorder(profile, seed, startMs);
  const queue = new EventHeap<QueueItem>();
  const ctx: JourneyContext = {
    seed,
    profile,
    push: (pending) => queue.push(pending.message.sendTimeMs, pending),
    plantChurn: (id, decay, planned) => truth.plantChurn(id, decay, planned),
  };

  for (let i = 0; i < profile.establishedAccounts; i++) {
    const state = newEstablished(seed, i, profile, startMs);
    startEstablished(ctx, state, startMs);
    truth.addAccount(state.traits, true);
    const first = Math.min(...Object.values(state.timers));
    if (first < Infinity) queue.push(first, state);
  }

  const arrivalsRng = new Rng(seed, TAG.arrivals);
  const windowDays = Math.max(1, profile.historyDays - profile.quietDays);
  const prospects = profile.newAccounts / expectedSignupRate(profile);
  const meanGapMs = (windowDays * DAY_MS) / Math.max(1e-9, prospects);
  const historyEnd = historyEndMs(profile, startMs);
  const quietFrom = historyEnd - profile.quietDays * DAY_MS;
  let nextProspect = profile.establishedAccounts;
  if (profile.newAccounts > 0) queue.push(startMs + Math.ceil(arrivalsRng.exp(meanGapMs)), ARRIVALS);

  const injections = new Rng(seed, TAG.injections);

  function arrive(now: number): void {
    const state = newProspect(seed, nextProspect++, profile, now);
    queue.push(now, state);
    let next = now + Math.ceil(arrivalsRng.exp(meanGapMs));
    if (next >= quietFrom && next < historyEnd) next = historyEnd + (next - quietFrom);
    queue.push(next, ARRIVALS);
  }

  function* run(): Generator<RawMessage, void, undefined> {
    const fromMs = options.fromMs ?? -Infinity;
    const untilMs = options.untilMs ?? Infinity;
    const maxMessages = options.maxMessages ?? Infinity;
    let index = 0;
    let yielded = 0;
    let serial = 0;
    const emit = (pending: PendingMessage): RawMessage | undefined => {
      truth.record(pending, index++);
      return pending.message.sendTimeMs >= fromMs ? pending.message : undefined;
    };
    for (;;) {
      const entry = queue.pop();
      if (entry === undefined || entry.time >= untilMs) return;
      const item = entry.item;
      if (item === ARRIVALS) {
        arrive(entry.time);
        continue;
      }
      if (!('message' in item)) {
        const next = wakeAccount(ctx, item, entry.time);
        if (next < Infinity) queue.push(next, item);
        continue;
      }
      const out: RawMessage[] = [];
      const message = item.message;
      const noisy = item.noiseless !== true;
      if (noisy && message.malformed === undefined && message.duplicate === undefined) {
        if (message.topic !== 'behavior' && injections.chance(profile.jsonShareOfAvroTopics))
          message.encoding = 'json';
        if (injections.chance(profile.duplicateShare)) {
          const resend = message.sendTimeMs + Math.ceil(injections.between(1_000, 120_000));
          const { late: _late, ...copy } = message;
          queue.push(resend, { message: { ...copy, sendTimeMs: resend, duplicate: true } });
        }
      }
      const first = emit(item);
      if (first !== undefined) out.push(first);
      if (
        noisy &&
        message.malformed === undefined &&
        message.duplicate === undefined &&
        injections.chance(profile.malformedShare)
      ) {
        const poison = emit(malformedMessage(injections, message, limits, serial++));
        if (poison !== undefined) out.push(poison);
      }
      for (const m of out) {
        yield m;
        if (++yielded >= maxMessages) return;
      }
    }
  }

  return { profile, messages: run(), truth: () => truth.snapshot() };
}

/** The multi-week past: [startMs, startMs + historyDays). */
export function generateHistory(
  profile: ProfileName | WorkloadProfile,
  seed: number,
  startMs: number,
  overrides?: Partial<WorkloadProfile>,
): Workload {
  const resolved = resolveProfile(profile, overrides);
  return generateWorkload({ profile: resolved, seed, startMs, untilMs: historyEndMs(resolved, startMs) });
}

/** The same world continued from `fromMs` (e.g. now) on: its history ended at fromMs, so
 *  generateHistory(p, seed, fromMs - historyDays) followed by this is one continuous stream. */
export function generateLive(
  profile: ProfileName | WorkloadProfile,
  seed: number,
  fromMs: number,
  overrides?: Partial<WorkloadProfile> & { untilMs?: number },
): Workload {
  const { untilMs, ...rest } = overrides ?? {};
  const resolved = resolveProfile(profile, rest);
  const startMs = fromMs - resolved.historyDays * DAY_MS;
  return generateWorkload({
    profile: resolved,
    seed,
    startMs,
    fromMs,
    ...(untilMs === undefined ? {} : { untilMs }),
  });
}
