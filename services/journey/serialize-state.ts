// Journey state on the changelog: JSON with a format tag. Bounded collections keep a busy account
// under 4 KB (asserted by serialize-state.test.ts); an unknown format is refused, not guessed.
import type { AccountState } from './account-state.ts';

export const STATE_FORMAT = 2;
export const MAX_STATE_BYTES = 4096;

export function serializeState(state: AccountState): string {
  return JSON.stringify({ f: STATE_FORMAT, s: state });
}

export class StateFormatError extends Error {}

export function deserializeState(text: string): AccountState {
  const parsed = JSON.parse(text) as { f?: unknown; s?: AccountState };
  if (parsed.f !== STATE_FORMAT || typeof parsed.s !== 'object' || parsed.s === null)
    throw new StateFormatError(`journey state format ${String(parsed.f)} is not ${STATE_FORMAT}: rebuild from events`);
  return parsed.s;
}
