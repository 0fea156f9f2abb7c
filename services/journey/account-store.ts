// The journey stage's in-memory state: per-account (or per-person) journey state, the keys
// changed since the last flush (they go to the changelog), and the event-time watermark that
// drives timers. Restored from the compacted journey changelog before processing.
import type { AccountState } from './account-state.ts';
import { StateFormatError, deserializeState, serializeState } from './serialize-state.ts';
import { JOURNEY_STATE_FORMATS } from './state-formats.ts';
import { deserializeMarks, serializeMarks } from './input-watermarks.ts';
import type { InputMarks } from './input-watermarks.ts';

export const WATERMARK_KEY = '__watermark__';
/** `__inputs__/<canonical partition>`: the raw partitions' progress read on it (input-watermarks.ts). */
export const INPUTS_KEY_PREFIX = '__inputs__/';

export interface AccountStore {
  states: Map<string, AccountState>;
  /** Keys written or deleted since the last flush (deleted = absent from states). */
  dirty: Set<string>;
  /** Max event time seen minus the map's lateness: timers fire up to here. */
  watermark: number;
  lastSweep: number;
  /** States on the changelog in no known format, dropped on restore. Older formats are migrated
   * (state-formats.ts), so this stays 0 unless a build newer than this one wrote the changelog. */
  unreadableStates: number;
  /** Keys deleted since the last flush (folded into a survivor, or GDPR-deleted), with the
   * deleted state's max event time: their ClickHouse snapshot gets a newer `deleted` row. */
  removed: Map<string, number>;
  /** The inputs' event-time progress per canonical partition (input-watermarks.ts). */
  inputs: InputMarks;
  /** Canonical partitions whose `inputs` changed since the last flush. */
  inputsDirty: Set<number>;
  /** The canonical partitions this instance owns (set by the shell at each assignment). */
  inputPartitions: number[];
  /** Keys whose state has re-scores waiting for the inputs (`rescoresDue`, rescore-account.ts):
   *  kept by putState, deleteState and the restore, so a marker looks at these, not every state. */
  rescoresWaiting: Set<string>;
  /** At most the earliest waiting re-score's time (Infinity: none): a marker short of it looks
   *  at no key. Lowered as re-scores start waiting, recomputed by the look. */
  rescoresEarliest: number;
}

export const createAccountStore = (): AccountStore => ({
  states: new Map(),
  dirty: new Set(),
  watermark: 0,
  lastSweep: 0,
  unreadableStates: 0,
  removed: new Map(),
  inputs: new Map(),
  inputsDirty: new Set(),
  inputPartitions: [],
  rescoresWaiting: new Set(),
  rescoresEarliest: Infinity,
});

/** The states map and the waiting re-scores' index, together. */
function setState(store: AccountStore, key: string, state: AccountState): void {
  store.states.set(key, state);
  if (state.rescoresDue.length === 0) store.rescoresWaiting.delete(key);
  else {
    store.rescoresWaiting.add(key);
    store.rescoresEarliest = Math.min(store.rescoresEarliest, state.rescoresDue[0]!);
  }
}

function removeState(store: AccountStore, key: string): void {
  store.states.delete(key);
  store.rescoresWaiting.delete(key);
}

export function putState(store: AccountStore, state: AccountState): void {
  setState(store, state.key, state);
  store.dirty.add(state.key);
  store.removed.delete(state.key);
}

export function deleteState(store: AccountStore, key: string): void {
  const state = store.states.get(key);
  if (state === undefined) return;
  removeState(store, key);
  store.dirty.add(key);
  store.removed.set(key, state.maxEventTime);
}

/** Changelog entries for the dirty keys (null value = tombstone), then the watermark; clears dirty. */
export function flushChangelog(store: AccountStore): Array<{ key: string; value: string | null }> {
  const out: Array<{ key: string; value: string | null }> = [];
  for (const key of [...store.dirty].sort()) {
    const state = store.states.get(key);
    out.push({ key, value: state ? serializeState(state) : null });
  }
  for (const partition of [...store.inputsDirty].sort((a, b) => a - b)) {
    const sources = store.inputs.get(partition);
    if (sources) out.push({ key: `${INPUTS_KEY_PREFIX}${partition}`, value: serializeMarks(sources) });
  }
  store.inputsDirty.clear();
  out.push({
    key: WATERMARK_KEY,
    value: JSON.stringify({ watermark: store.watermark, lastSweep: store.lastSweep }),
  });
  store.dirty.clear();
  return out;
}

/** `formats` is for tests that register an older format; the service uses the default. */
export function applyJourneyChangelog(
  store: AccountStore,
  key: string,
  value: string | null,
  formats = JOURNEY_STATE_FORMATS,
): void {
  if (key === WATERMARK_KEY) {
    // Each changelog partition holds the watermark as of its own last batch: the newest wins.
    if (value) {
      const saved = JSON.parse(value) as { watermark: number; lastSweep: number };
      store.watermark = Math.max(store.watermark, saved.watermark);
      store.lastSweep = Math.max(store.lastSweep, saved.lastSweep);
    }
    return;
  }
  if (key.startsWith(INPUTS_KEY_PREFIX)) {
    const partition = Number(key.slice(INPUTS_KEY_PREFIX.length));
    if (value) store.inputs.set(partition, deserializeMarks(value));
    return;
  }
  if (value === null) {
    removeState(store, key);
    return;
  }
  try {
    setState(store, key, deserializeState(value, formats));
  } catch (err) {
    if (!(err instanceof StateFormatError)) throw err;
    removeState(store, key);
    store.unreadableStates += 1;
  }
}
