// The ordinary stages an account has reached, derived from its facts alone (order-insensitive):
// the first stage is entered when first seen; stage k+1 at max(entry of k, earliest conversion
// of k, every entry condition of k+1). A conversion counts whenever it happened: a stage whose
// conversion already happened is passed at once. Evidence of stage k+1 or a later one (the map's
// `evidence`: a paid invoice, an active subscription — a customer older than the pipeline) passes
// k+1 at that time whatever was seen before. Also: when an open risk episode is left.
import type { AccountState } from './account-state.ts';
import { dayOf } from './account-state.ts';
import { ordinaryStages } from './journey-map.ts';
import type { JourneyMap } from './journey-map.ts';

export interface StagePoint {
  stage: string;
  at: number;
  reason: string;
}

/** Where the earliest evidence of a stage is kept among the entry facts. */
export const evidenceKey = (stage: string): string => `${stage}#evidence`;

/** The earliest evidence that the account is at least at stage `k` (of its own or a later one). */
function evidenceFrom(s: AccountState, stages: ReturnType<typeof ordinaryStages>, k: number): number | null {
  let earliest: number | null = null;
  for (let j = k; j < stages.length; j++) {
    const stage = stages[j]!;
    const times = [s.entryMet[evidenceKey(stage.id)] ?? null];
    if (s.activatedAt !== null && stage.evidence.some((c) => 'activation' in c)) times.push(s.activatedAt);
    for (const t of times) if (t !== null && (earliest === null || t < earliest)) earliest = t;
  }
  return earliest;
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
    // Evidence of this stage or a later one (an existing customer): passed then, whatever else.
    const evidence = evidenceFrom(s, stages, k);
    if (evidence !== null && (conversion === null || evidence < conversion[0]))
      conversion = [evidence, 'evidence'];
    if (conversion === null) break;
    let at = Math.max(chain[k - 1]!.at, conversion[0]);
    let met = true;
    stage.entry.forEach((c, i) => {
      const when = 'activation' in c ? s.activatedAt : (s.entryMet[`${stage.id}#${i}`] ?? null);
      if (when === null) met = false;
      else at = Math.max(at, when);
    });
    if (!met) {
      if (evidence === null) break;
      at = Math.max(chain[k - 1]!.at, evidence);
    }
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
