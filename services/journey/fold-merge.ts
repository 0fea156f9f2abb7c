// Identity merges fold the absorbed person's (or a person's pre-account) state into the
// survivor: earliest firsts, latest lasts, unions of sets, the further-along stage.
import { MAX_ACTIVE_DAYS, MAX_FEATURES, insertSorted } from './account-state.ts';
import type { AccountState } from './account-state.ts';
import { stageIndex } from './journey-map.ts';
import type { JourneyMap } from './journey-map.ts';

const minOrNull = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);
const earlier = <T extends { at: number }>(a: T | null, b: T | null): T | null =>
  !a ? b : !b ? a : b.at < a.at ? b : a;

export function foldMerge(survivor: AccountState, absorbed: AccountState, map: JourneyMap): AccountState {
  let days = survivor.activeDays;
  for (const d of absorbed.activeDays) days = insertSorted(days, d, MAX_ACTIVE_DAYS);
  let keyDays = survivor.keyActionDays;
  for (const d of absorbed.keyActionDays) keyDays = insertSorted(keyDays, d, MAX_ACTIVE_DAYS);
  let keyTimes = survivor.keyActionTimes;
  for (const t of absorbed.keyActionTimes) keyTimes = insertSorted(keyTimes, t, MAX_ACTIVE_DAYS);
  const further =
    stageIndex(map, absorbed.stage) > stageIndex(map, survivor.stage) &&
    !map.stages[stageIndex(map, absorbed.stage)]?.signal;
  const stageEntries = { ...absorbed.stageEntries };
  for (const [stage, at] of Object.entries(survivor.stageEntries))
    stageEntries[stage] = Math.min(at, stageEntries[stage] ?? at);
  const funnel = { ...absorbed.funnel };
  for (const [step, at] of Object.entries(survivor.funnel)) funnel[step] = Math.min(at, funnel[step] ?? at);
  return {
    ...survivor,
    ...(further ? { stage: absorbed.stage, stageEnteredAt: absorbed.stageEnteredAt } : {}),
    stageEntries,
    firstSeenAt: Math.min(survivor.firstSeenAt, absorbed.firstSeenAt),
    lastActivityAt: Math.max(survivor.lastActivityAt, absorbed.lastActivityAt),
    maxEventTime: Math.max(survivor.maxEventTime, absorbed.maxEventTime),
    firstTouch: earlier(survivor.firstTouch, absorbed.firstTouch),
    lastTouchBeforeSignup: survivor.lastTouchBeforeSignup ?? absorbed.lastTouchBeforeSignup,
    signupAt: minOrNull(survivor.signupAt, absorbed.signupAt),
    activatedAt: minOrNull(survivor.activatedAt, absorbed.activatedAt),
    activeDays: days,
    keyActionDays: keyDays,
    keyActionTimes: keyTimes,
    funnel,
    features: [...new Set([...survivor.features, ...absorbed.features])].slice(-MAX_FEATURES),
    members: { ...absorbed.members, ...survivor.members },
    experiments: { ...absorbed.experiments, ...survivor.experiments },
  };
}
