// The total orders that make journey facts order-insensitive: which of two values wins, whatever
// arrived first. Shared by the reducer (one event) and the merge fold (two states).
import type { AccountState, Touch } from './account-state.ts';

/** Last-writer-wins: a later event time wins; equal times are broken by the value. */
export const wins = (t: number, value: unknown, at: number, current: unknown): boolean =>
  t > at || (t === at && String(value) > String(current));

export const touchOrder = (a: Touch, b: Touch): number =>
  a.at - b.at ||
  (`${a.channel}\u0000${a.source}\u0000${a.campaign}` < `${b.channel}\u0000${b.source}\u0000${b.campaign}`
    ? -1
    : `${a.channel}\u0000${a.source}\u0000${a.campaign}` > `${b.channel}\u0000${b.source}\u0000${b.campaign}`
      ? 1
      : 0);

/** Champion candidates: an admin beats a sign-up; then the earlier; then the smaller id. */
export function betterChampion(
  id: string,
  since: [number, boolean],
  current: Pick<AccountState, 'champion' | 'championSince'>,
): boolean {
  if (current.champion === null || current.championSince === null) return true;
  const [at, admin] = current.championSince;
  if (since[1] !== admin) return since[1];
  return since[0] < at || (since[0] === at && id < current.champion);
}

/**
 * The touches that can still be the last touch before sign-up, sorted (the last one is it): those
 * at or before sign-up that are within the lateness of the newest event (a late sign-up can only
 * land there), plus the newest one before that window; at most `max`.
 */
export function touchesBeforeSignup(
  touches: readonly Touch[],
  signupAt: number | null,
  maxEventTime: number,
  latenessMs: number,
  max: number,
): Touch[] {
  const unique = touches.filter((t, i) => touches.findIndex((u) => touchOrder(t, u) === 0) === i);
  const eligible = unique.filter((t) => signupAt === null || t.at <= signupAt).sort(touchOrder);
  const horizon = maxEventTime - latenessMs;
  const recent = eligible.filter((t) => t.at >= horizon);
  const before = eligible.filter((t) => t.at < horizon).slice(-1);
  return [...before, ...recent].slice(-max);
}
