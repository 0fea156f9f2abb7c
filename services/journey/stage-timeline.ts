// The ordinary stages an account has reached, derived from its facts alone (order-insensitive):
// the first stage is entered when first seen; stage k+1 at max(entry of k, earliest conversion
// of k, every entry condition of k+1). A conversion counts whenever it happened: a stage whose
// conversion already happened is passed at once. Also: when an open risk episode is left.
import type { AccountState } from './account-state.ts';
import { dayOf } from './account-state.ts';
import { ordinaryStages } from './journey-map.ts';
import type { JourneyMap } from './journey-map.ts';

export interface StagePoint {
  stage: string;
  at: number;
  reason: string;
}

export function ordinaryChain(s: AccountState, map: JourneyMap): StagePoint[] {
  const stages = ordinaryStages(map);
  const chain: StagePoint[] = [{ stage: stages[0]!.id, at: s.firstSeenAt, reason: 'first_seen' }];
  for (let k = 1; k < stages.length; k++) {
    const prev = stages[k - 1]!;
    const stage = stages[k]!;
    let conversion: [number, string] | null = s.conversions[prev.id] ?? null;
    if (s.activatedAt !== null && prev.conversion.some((c) => 'activation' in c)) {
      if (conversion === null || s.activatedAt < conversion[0]) conversion = [s.activatedAt, 'activated'];
    }
    if (conversion === null) break;
    let at = Math.max(chain[k - 1]!.at, conversion[0]);
    let met = true;
    stage.entry.forEach((c, i) => {
      const when = 'activation' in c ? s.activatedAt : (s.entryMet[`${stage.id}#${i}`] ?? null);
      if (when === null) met = false;
      else at = Math.max(at, when);
    });
    if (!met) break;
    chain.push({ stage: stage.id, at, reason: conversion[1] });
  }
  return chain;
}

/** The day-th earliest activity on or after the open risk episode's start (exit_active_days). */
export function riskExitTime(s: AccountState, map: JourneyMap): number | null {
  if (s.riskSince === null) return null;
  const after = s.dayFirsts.filter((t) => dayOf(t) >= dayOf(s.riskSince as number));
  return after[map.churn_risk.exit_active_days - 1] ?? null;
}
