// A state partition of the partitioned journey on its compacted changelog (co-partitioned with the
// resolved-events partition it consumes): the account store's entries (account-store.ts), each
// waiting key (`__waiting__/<key>`: whom it waits for) and what it holds, one entry per held
// record appended (`__held__/<key>/<n>`: a key can hold thousands while a handover lags, and each
// batch writes only what it added), each handover that came before its expect, and the
// partition's checkpoint — the last resolved record applied, written last in every batch.
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import { applyJourneyChangelog, flushChangelog } from './account-store.ts';
import type { Held, HeldRecord, KeyedPartition } from './keyed-partition.ts';
import type { KeyKind } from './route-resolved.ts';
import { deserializeState, serializeState } from './serialize-state.ts';
import type { Sweep } from './sweep-timers-step.ts';
import type { PersonErasure } from '../identity/person-erasure.ts';

export const WAITING_PREFIX = '__waiting__/';
export const HELD_PREFIX = '__held__/';
export const EARLY_PREFIX = '__early__/';
export const CHECKPOINT_KEY = '__checkpoint__';

/** `r`: Held.reached, absent when -Infinity (and in records written before it: no marker then
 *  checked a waiting re-score). `p`: an event's inputs' progress, a number or "Infinity" /
 *  "-Infinity" (JSON has neither); absent in records written before it, which re-scored at once. */
type HeldJson = (
  | { k: 'event'; now: number; event: JourneyEvent; p?: number | string }
  | { k: 'sweep'; sweep: Sweep }
  | { k: 'move'; to: string; toKind: KeyKind }
  | { k: 'expect'; from: string; toKind: KeyKind }
  | { k: 'drop' }
  | { k: 'forget'; erasure: PersonErasure }
) & { r?: number };

const progressJson = (progress: number): number | string =>
  Number.isFinite(progress) ? progress : String(progress);

function recordJson(h: HeldRecord): HeldJson {
  switch (h.kind) {
    case 'event':
      return { k: 'event', now: h.now, event: h.event, p: progressJson(h.progress) };
    case 'sweep':
      return { k: 'sweep', sweep: h.sweep };
    case 'move':
      return { k: 'move', to: h.to, toKind: h.toKind };
    case 'expect':
      return { k: 'expect', from: h.from, toKind: h.toKind };
    case 'drop':
      return { k: 'drop' };
    case 'forget':
      return { k: 'forget', erasure: h.erasure };
  }
}

const heldJson = (h: Held): HeldJson =>
  Number.isFinite(h.reached) ? { ...recordJson(h), r: h.reached } : recordJson(h);

function recordOf(j: HeldJson): HeldRecord {
  switch (j.k) {
    case 'event':
      return {
        kind: 'event',
        now: j.now,
        event: j.event,
        progress: j.p === undefined ? Infinity : Number(j.p),
      };
    case 'sweep':
      return { kind: 'sweep', sweep: j.sweep };
    case 'move':
      return { kind: 'move', to: j.to, toKind: j.toKind };
    case 'expect':
      return { kind: 'expect', from: j.from, toKind: j.toKind };
    case 'drop':
      return { kind: 'drop' };
    case 'forget':
      return { kind: 'forget', erasure: j.erasure };
  }
}

const heldOf = (j: HeldJson): Held => ({ ...recordOf(j), reached: j.r ?? -Infinity });

/** What the changelog holds of each waiting key: its wait's number and how many held records.
 *  Updated when the changelog is flushed, before the batch commits: correct because a batch that
 *  does not commit always drops the partition object and restores a new one (state-service.ts),
 *  never retries with the same object. */
const persisted = new WeakMap<KeyedPartition, Map<string, { gen: number; count: number }>>();
const persistedOf = (p: KeyedPartition): Map<string, { gen: number; count: number }> => {
  let map = persisted.get(p);
  if (!map) persisted.set(p, (map = new Map()));
  return map;
};
const heldKey = (key: string, n: number): string => `${HELD_PREFIX}${JSON.stringify([key, n])}`;

/** The entries changed since the last flush: waiting keys and their new held records, early
 *  handovers, the store's states, inputs and watermark; clears the dirty sets. The caller appends
 *  the checkpoint. */
export function flushKeyedChangelog(p: KeyedPartition): Array<{ key: string; value: string | null }> {
  const out: Array<{ key: string; value: string | null }> = [];
  const saved = persistedOf(p);
  for (const dirty of [...p.heldDirty].sort()) {
    if (dirty.startsWith('waiting:')) {
      const key = dirty.slice('waiting:'.length);
      const waiting = p.waiting.get(key);
      const before = saved.get(key);
      const fresh = !waiting || before?.gen !== waiting.gen;
      const from = fresh ? 0 : before.count;
      // Written again at every change: `reached` moves with the markers while nothing is held.
      if (waiting)
        out.push({
          key: `${WAITING_PREFIX}${key}`,
          value: JSON.stringify({
            from: waiting.from,
            toKind: waiting.toKind,
            gen: waiting.gen,
            ...(Number.isFinite(waiting.reached) ? { reached: waiting.reached } : {}),
          }),
        });
      const held = waiting?.held ?? [];
      for (let n = from; n < held.length; n++)
        out.push({ key: heldKey(key, n), value: JSON.stringify(heldJson(held[n]!)) });
      for (let n = held.length; n < (before?.count ?? 0); n++)
        out.push({ key: heldKey(key, n), value: null });
      if (!waiting) {
        if (before) out.push({ key: `${WAITING_PREFIX}${key}`, value: null });
        saved.delete(key);
      } else saved.set(key, { gen: waiting.gen, count: held.length });
    } else {
      const edge = dirty.slice('early:'.length);
      const state = p.early.get(edge);
      out.push({
        key: `${EARLY_PREFIX}${edge}`,
        value: p.early.has(edge) ? JSON.stringify({ state: state ? serializeState(state) : null }) : null,
      });
    }
  }
  p.heldDirty.clear();
  out.push(...flushChangelog(p.store));
  return out;
}

/** Held records read before their key's wait (restore order is the log's): kept until finishKeyedRestore. */
const restoring = new WeakMap<KeyedPartition, Map<string, Map<number, Held>>>();

/** One changelog entry into a partition being restored; finishKeyedRestore once all are read. */
export function applyKeyedChangelog(p: KeyedPartition, key: string, value: string | null): void {
  if (key === CHECKPOINT_KEY) {
    p.checkpoint = value;
    return;
  }
  if (key.startsWith(WAITING_PREFIX)) {
    const waitingKey = key.slice(WAITING_PREFIX.length);
    if (value === null) p.waiting.delete(waitingKey);
    else {
      const saved = JSON.parse(value) as { from: string; toKind: KeyKind; gen: number; reached?: number };
      const { from, toKind, gen } = saved;
      p.waiting.set(waitingKey, { from, toKind, held: [], gen, reached: saved.reached ?? -Infinity });
      p.nextGen = Math.max(p.nextGen, saved.gen + 1);
    }
    return;
  }
  if (key.startsWith(HELD_PREFIX)) {
    const [heldFor, n] = JSON.parse(key.slice(HELD_PREFIX.length)) as [string, number];
    let held = restoring.get(p);
    if (!held) restoring.set(p, (held = new Map()));
    let items = held.get(heldFor);
    if (!items) held.set(heldFor, (items = new Map()));
    if (value === null) items.delete(n);
    else items.set(n, heldOf(JSON.parse(value) as HeldJson));
    return;
  }
  if (key.startsWith(EARLY_PREFIX)) {
    const edge = key.slice(EARLY_PREFIX.length);
    if (value === null) p.early.delete(edge);
    else {
      const saved = JSON.parse(value) as { state: string | null };
      p.early.set(edge, saved.state === null ? null : deserializeState(saved.state));
    }
    return;
  }
  applyJourneyChangelog(p.store, key, value);
}

/** Puts each waiting key's held records back in order, and notes what the changelog holds. */
export function finishKeyedRestore(p: KeyedPartition): KeyedPartition {
  const held = restoring.get(p) ?? new Map<string, Map<number, Held>>();
  restoring.delete(p);
  const saved = persistedOf(p);
  for (const [key, waiting] of p.waiting) {
    const items = held.get(key) ?? new Map<number, Held>();
    waiting.held = [...items.keys()].sort((a, b) => a - b).map((n) => items.get(n)!);
    saved.set(key, { gen: waiting.gen, count: waiting.held.length });
  }
  return p;
}
