// A state partition of the partitioned journey on its compacted changelog (co-partitioned with the
// resolved-events partition it consumes): the account store's entries (account-store.ts), each
// key waiting for a handover with what it holds, each handover that came before its expect, and
// the partition's checkpoint — the last resolved record applied, written last in every batch.
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import { applyJourneyChangelog, flushChangelog } from './account-store.ts';
import type { Held, KeyedPartition } from './keyed-partition.ts';
import { deserializeState, serializeState } from './serialize-state.ts';
import type { Sweep } from './sweep-timers-step.ts';

export const WAITING_PREFIX = '__waiting__/';
export const EARLY_PREFIX = '__early__/';
export const CHECKPOINT_KEY = '__checkpoint__';

type HeldJson =
  | { k: 'event'; now: number; event: JourneyEvent }
  | { k: 'sweep'; sweep: Sweep }
  | { k: 'move'; to: string; toKind: 'account' | 'person' }
  | { k: 'expect'; from: string; toKind: 'account' | 'person' };

const heldJson = (h: Held): HeldJson =>
  h.kind === 'event'
    ? { k: 'event', now: h.now, event: h.event }
    : h.kind === 'sweep'
      ? { k: 'sweep', sweep: h.sweep }
      : h.kind === 'move'
        ? { k: 'move', to: h.to, toKind: h.toKind }
        : { k: 'expect', from: h.from, toKind: h.toKind };

const heldOf = (j: HeldJson): Held =>
  j.k === 'event'
    ? { kind: 'event', now: j.now, event: j.event }
    : j.k === 'sweep'
      ? { kind: 'sweep', sweep: j.sweep }
      : j.k === 'move'
        ? { kind: 'move', to: j.to, toKind: j.toKind }
        : { kind: 'expect', from: j.from, toKind: j.toKind };

/** The entries changed since the last flush: held keys and early handovers, the store's states,
 *  inputs and watermark; clears the dirty sets. The caller appends the checkpoint. */
export function flushKeyedChangelog(p: KeyedPartition): Array<{ key: string; value: string | null }> {
  const out: Array<{ key: string; value: string | null }> = [];
  for (const dirty of [...p.heldDirty].sort()) {
    if (dirty.startsWith('waiting:')) {
      const key = dirty.slice('waiting:'.length);
      const waiting = p.waiting.get(key);
      out.push({
        key: `${WAITING_PREFIX}${key}`,
        value: waiting
          ? JSON.stringify({ from: waiting.from, toKind: waiting.toKind, held: waiting.held.map(heldJson) })
          : null,
      });
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

/** One changelog entry into a partition being restored. */
export function applyKeyedChangelog(p: KeyedPartition, key: string, value: string | null): void {
  if (key === CHECKPOINT_KEY) {
    p.checkpoint = value;
    return;
  }
  if (key.startsWith(WAITING_PREFIX)) {
    const waitingKey = key.slice(WAITING_PREFIX.length);
    if (value === null) p.waiting.delete(waitingKey);
    else {
      const saved = JSON.parse(value) as { from: string; toKind: 'account' | 'person'; held: HeldJson[] };
      p.waiting.set(waitingKey, { from: saved.from, toKind: saved.toKind, held: saved.held.map(heldOf) });
    }
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
