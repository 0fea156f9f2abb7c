// One partition of the journey's state step (docs/architecture.md, steps 4-5): the states of the
// keys routed to it, fed the records of route-resolved.ts in their partition's order plus the
// handovers other partitions send it. A key that EXPECTs another's state is held: its later
// records (events, its part of each sweep, moves, further expects) queue in order until the
// HANDOVER comes, which folds in and replays the queue. A handover that comes before its expect
// waits for it. So each key's state goes through exactly the steps the single-writer journey takes
// for it, in the same order and at the same watermarks, whatever the interleaving of partitions.
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { AccountState } from './account-state.ts';
import { createAccountStore, deleteState, putState } from './account-store.ts';
import { forgetPersonInState } from './forget-person-in-accounts.ts';
import type { PersonErasure } from '../identity/person-erasure.ts';
import type { AccountStore } from './account-store.ts';
import { applyEventStep, foldInto } from './apply-journey-step.ts';
import type { JourneyContext, JourneyStepOutput } from './apply-journey-step.ts';
import { applyMarker } from './input-watermarks.ts';
import { inputProgress, rescoreIfDue, rescoresDue } from './rescore-account.ts';
import type { KeyKind, ResolvedRecord } from './route-resolved.ts';
import { sweepAccount } from './sweep-timers-step.ts';
import type { Sweep } from './sweep-timers-step.ts';

/** A key's record held while it waits for a handover, with the watermark and the inputs' progress
 *  it came at. */
export type HeldRecord =
  | { kind: 'event'; event: JourneyEvent; now: number; progress: number }
  | { kind: 'sweep'; sweep: Sweep }
  | { kind: 'move'; to: string; toKind: KeyKind }
  | { kind: 'expect'; from: string; toKind: KeyKind }
  | { kind: 'drop' }
  | { kind: 'forget'; erasure: PersonErasure };

/** `reached`: the greatest inputs' progress of the markers read between the key's previous held
 *  record and this one (-Infinity: none). The key's state cannot change between two of its records,
 *  so its waiting re-score (rescore-account.ts) checked once against it, before the record, is the
 *  single writer's check at each of those markers. */
export type Held = HeldRecord & { reached: number };

export interface Waiting {
  from: string;
  toKind: KeyKind;
  held: Held[];
  gen: number;
  /** The markers' greatest progress since the last held record (see Held.reached). */
  reached: number;
}

export interface KeyedPartition {
  store: AccountStore;
  /** Keys waiting for the state of `from`, with what came for them meanwhile; `gen` numbers each
   *  wait of the partition, so the changelog can tell a new wait from more of the same one. */
  waiting: Map<string, Waiting>;
  nextGen: number;
  /** Handovers that came before their expect, by `edge(from, key)`. */
  early: Map<string, AccountState | null>;
  /** Waiting keys and early edges changed since the last flush (keyed-partition-changelog.ts). */
  heldDirty: Set<string>;
  /** The offset of the last resolved record applied (restored from the changelog). */
  checkpoint: string | null;
}

export const createKeyedPartition = (): KeyedPartition => ({
  store: createAccountStore(),
  waiting: new Map(),
  nextGen: 0,
  early: new Map(),
  heldDirty: new Set(),
  checkpoint: null,
});

/** Handovers the partition still awaits: keys waiting for one (their records held) and handovers
 *  come before their expect. Zero once every key's records are applied. */
export const awaitedHandovers = (p: KeyedPartition): number => p.waiting.size + p.early.size;

/** A handover to write to the partition of `key` (the shell routes it; a test queues it). */
export type Handover = Extract<ResolvedRecord, { kind: 'handover' }>;

export interface KeyedStep {
  ctx: JourneyContext;
  sweepIntervalMs: number;
  out: JourneyStepOutput;
  send: (handover: Handover) => void;
  /** A deletion's erasure, for the shell to run before the batch commits. */
  erase: (erasure: PersonErasure) => void;
}

/** The key of a handover that came early: from whom, to whom. */
export const edge = (from: string, key: string): string => JSON.stringify([from, key]);

export function applyResolvedRecord(p: KeyedPartition, record: ResolvedRecord, step: KeyedStep): void {
  switch (record.kind) {
    case 'marker':
      return applyMarkerRecord(p, record.origin, record, step);
    case 'event': {
      const { watermark: now } = p.store;
      const waiting = p.waiting.get(record.key);
      if (!waiting)
        return applyEventStep(p.store, record.event, now, () => inputProgress(p.store), step.ctx, step.out);
      // Held: the progress it came at, for its re-score when it replays.
      return hold(p, record.key, waiting, {
        kind: 'event',
        event: record.event,
        now,
        progress: inputProgress(p.store),
      });
    }
    case 'move':
      return keyed(p, record.key, { kind: 'move', to: record.to, toKind: record.toKind }, step);
    case 'expect':
      return keyed(p, record.key, { kind: 'expect', from: record.from, toKind: record.toKind }, step);
    case 'drop':
      return keyed(p, record.key, { kind: 'drop' }, step);
    case 'forget': {
      const persons = record.erasure.person_ids;
      for (const [key, state] of p.store.states)
        if (!p.waiting.has(key)) {
          const forgotten = forgetPersonInState(state, persons);
          if (forgotten !== state) putState(p.store, forgotten);
        }
      for (const [key, waiting] of p.waiting)
        hold(p, key, waiting, { kind: 'forget', erasure: record.erasure });
      step.erase(record.erasure);
      return;
    }
    case 'handover': {
      const waiting = p.waiting.get(record.key);
      if (waiting?.from !== record.from) {
        p.early.set(edge(record.from, record.key), record.state);
        p.heldDirty.add(`early:${edge(record.from, record.key)}`);
        return;
      }
      return receive(p, record.key, record.state, step);
    }
  }
}

function applyMarkerRecord(
  p: KeyedPartition,
  origin: number,
  record: Extract<ResolvedRecord, { kind: 'marker' }>,
  step: KeyedStep,
): void {
  const store = p.store;
  applyMarker(store.inputs, origin, record.marker);
  store.inputsDirty.add(origin);
  // The waiting re-scores first, then the timers, as the single writer does (journey-pipeline.ts);
  // a key waiting for a handover checks its own when its held records replay.
  const progress = inputProgress(store);
  rescoresDue(store, progress, step.ctx, step.out, (key) => p.waiting.has(key));
  if (Number.isFinite(progress)) {
    for (const [key, waiting] of p.waiting)
      if (progress > waiting.reached) {
        waiting.reached = progress;
        p.heldDirty.add(`waiting:${key}`);
      }
    store.watermark = Math.max(store.watermark, progress - step.ctx.map.lateness_minutes * 60_000);
  }
  if (store.watermark - store.lastSweep < step.sweepIntervalMs) return;
  sweepPartition(
    p,
    { now: store.watermark, previous: store.lastSweep, intervalMs: step.sweepIntervalMs },
    step,
  );
}

/** Idle input (JOURNEY_IDLE_TICK_SECONDS): time moves to `now` by the wall clock, and every key
 *  is swept there, as the single writer's tick does (a held key at its place in line). False when
 *  `now` is not past the watermark. */
export function tickPartition(p: KeyedPartition, now: number, step: KeyedStep): boolean {
  if (now <= p.store.watermark) return false;
  p.store.watermark = now;
  sweepPartition(p, { now, previous: p.store.lastSweep, intervalMs: 0 }, step);
  return true;
}

function sweepPartition(p: KeyedPartition, sweep: Sweep, step: KeyedStep): void {
  const store = p.store;
  for (const [key, state] of store.states)
    if (!p.waiting.has(key)) sweepAccount(store, key, state, sweep, step.ctx, step.out);
  for (const [key, waiting] of p.waiting) hold(p, key, waiting, { kind: 'sweep', sweep });
  store.lastSweep = sweep.now;
}

function keyed(p: KeyedPartition, key: string, item: HeldRecord, step: KeyedStep): void {
  const waiting = p.waiting.get(key);
  if (!waiting) return run(p, key, item, step);
  hold(p, key, waiting, item);
}

/** Appends to a waiting key's queue, with the progress the markers reached since its last record. */
function hold(p: KeyedPartition, key: string, waiting: Waiting, item: HeldRecord): void {
  waiting.held.push({ ...item, reached: waiting.reached });
  waiting.reached = -Infinity;
  p.heldDirty.add(`waiting:${key}`);
}

function run(p: KeyedPartition, key: string, item: HeldRecord, step: KeyedStep): void {
  const store = p.store;
  switch (item.kind) {
    case 'event':
      return applyEventStep(store, item.event, item.now, () => item.progress, step.ctx, step.out);
    case 'sweep': {
      const state = store.states.get(key);
      if (state) sweepAccount(store, key, state, item.sweep, step.ctx, step.out);
      return;
    }
    case 'drop':
      deleteState(store, key);
      // No `deleted` snapshot row: the erasure deletes the key's rows, and a later row would put
      // the person id back (apply-identity-command-step.ts).
      store.removed.delete(key);
      return;
    case 'forget': {
      const state = store.states.get(key);
      const forgotten = state && forgetPersonInState(state, item.erasure.person_ids);
      if (state && forgotten !== state) putState(store, forgotten!);
      return;
    }
    case 'move': {
      const state = store.states.get(key) ?? null;
      if (state) deleteState(store, key);
      step.send({ kind: 'handover', key: item.to, from: key, state });
      return;
    }
    case 'expect': {
      const early = edge(item.from, key);
      if (p.early.has(early)) {
        const state = p.early.get(early) ?? null;
        p.early.delete(early);
        p.heldDirty.add(`early:${early}`);
        if (state) foldInto(store, state, key, item.toKind, step.ctx.map);
        return;
      }
      p.waiting.set(key, {
        from: item.from,
        toKind: item.toKind,
        held: [],
        gen: p.nextGen++,
        reached: -Infinity,
      });
      p.heldDirty.add(`waiting:${key}`);
      return;
    }
  }
}

/** The awaited state came: fold it in, then replay what was held, until the key waits again. */
function receive(p: KeyedPartition, key: string, state: AccountState | null, step: KeyedStep): void {
  const waiting = p.waiting.get(key)!;
  p.waiting.delete(key);
  p.heldDirty.add(`waiting:${key}`);
  if (state) foldInto(p.store, state, key, waiting.toKind, step.ctx.map);
  // Held events and sweeps replayed now, before a held forget, write their rows in this batch,
  // after the partition's first erasure of that deletion: it erases again, and the batch's rows
  // that name the person are left out (state-service.ts).
  let wroteRows = false;
  for (let i = 0; i < waiting.held.length; i++) {
    const item = waiting.held[i]!;
    // The markers read before this record, as the single writer met them (Held.reached).
    rescoreIfDue(p.store, key, item.reached, step.ctx, step.out);
    run(p, key, item, step);
    if (item.kind === 'event' || item.kind === 'sweep') wroteRows = true;
    if (item.kind === 'forget' && wroteRows) step.erase(item.erasure);
    const again = p.waiting.get(key);
    if (again) {
      again.held.push(...waiting.held.slice(i + 1));
      again.reached = waiting.reached;
      return;
    }
  }
  rescoreIfDue(p.store, key, waiting.reached, step.ctx, step.out);
}
