// GDPR: the journey state of an account can name its persons — `champion` holds a person id,
// `members` a short hash of one (bounded-sets.ts memberKey). Deleting a person rewrites every
// account state that names it without it, so the compacted journey changelog's latest value for
// the account no longer holds the person (compaction then drops the older values). The weekly
// activity sketches keep one bit per slot, which names nobody, and stay.
import type { AccountState } from './account-state.ts';
import type { AccountStore } from './account-store.ts';
import { putState } from './account-store.ts';
import { memberKey } from './bounded-sets.ts';

/** Removes the persons from every account state that names them; returns how many changed. */
export function forgetPersonInAccounts(store: AccountStore, personIds: readonly string[]): number {
  let changed = 0;
  for (const state of [...store.states.values()]) {
    const forgotten = forgetPersonInState(state, personIds);
    if (forgotten === state) continue;
    putState(store, forgotten);
    changed++;
  }
  return changed;
}

/** The state without the persons (the same object when it names none of them). */
export function forgetPersonInState(state: AccountState, personIds: readonly string[]): AccountState {
  const ids = new Set(personIds);
  const memberKeys = new Set(personIds.map(memberKey));
  const championGone = state.champion !== null && ids.has(state.champion);
  const members = Object.entries(state.members).filter(([key]) => !memberKeys.has(key));
  if (!championGone && members.length === Object.keys(state.members).length) return state;
  return {
    ...state,
    members: Object.fromEntries(members),
    ...(championGone ? { champion: null, championSince: null } : {}),
  };
}
