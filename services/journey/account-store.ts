// The journey stage's in-memory state: per-account (or per-person) journey state, the keys
// changed since the last flush (they go to the changelog), and the event-time watermark that
// drives timers. Restored from the compacted journey changelog before processing.
import type { AccountState } from './account-state.ts';
import { StateFormatError, deserializeState, serializeState } from './serialize-state.ts';
import { JOURNEY_STATE_FORMATS } from './state-formats.ts';

export const WATERMARK_KEY = '__watermark__';

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
}

export const createAccountStore = (): AccountStore => ({
  states: new Map(),
  dirty: new Set(),
  watermark: 0,
  lastSweep: 0,
  unreadableStates: 0,
  removed: new Map(),
});

export function putState(store: AccountStore, state: AccountState): void {
  store.states.set(state.key, state);
  store.dirty.add(state.key);
  store.removed.delete(state.key);
}

export function deleteState(store: AccountStore, key: string): void {
  const state = store.states.get(key);
  if (state === undefined) return;
  store.states.delete(key);
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
    if (value) Object.assign(store, JSON.parse(value) as { watermark: number; lastSweep: number });
    return;
  }
  if (value === null) {
    store.states.delete(key);
    return;
  }
  try {
    store.states.set(key, deserializeState(value, formats));
  } catch (err) {
    if (!(err instanceof StateFormatError)) throw err;
    store.states.delete(key);
    store.unreadableStates += 1;
  }
}
