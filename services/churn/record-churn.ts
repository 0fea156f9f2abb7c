// A cancellation against the alert state: did we warn, and how long before? The lead time runs
// from the first warning of the current risk episode (first entry into watch or at_risk since the
// account was last healthy) to the cancellation; an account that churned while healthy was missed.

import type { ChurnBand } from './churn-bands.ts';
import type { ChurnAlertState } from './churn-alert-state.ts';

export interface ChurnEvent {
  readonly account: string;
  /** Epoch ms of the cancellation. */
  readonly at: number;
  /** Why, in the customer's words (cancellation survey, ticket), if they said. */
  readonly reason: string | null;
  /** The categorised reason (e.g. `too_expensive`), if the source has one. */
  readonly reasonCode: string | null;
}

export interface ChurnOutcome {
  readonly account: string;
  readonly churnedAt: number;
  /** True when a warning preceded the cancellation. */
  readonly warned: boolean;
  readonly firstWarningAt: number | null;
  /** churnedAt - firstWarningAt; null when not warned. */
  readonly leadTimeMs: number | null;
  readonly leadTimeDays: number | null;
  /** The band and score last held before the cancellation; healthy/null for an unscored account. */
  readonly bandAtChurn: ChurnBand;
  readonly scoreAtChurn: number | null;
  readonly reason: string | null;
  readonly reasonCode: string | null;
}

/** Longest customer reason kept, in UTF-16 units. */
export const MAX_REASON_LENGTH = 2000;

const DAY_MS = 86_400_000;

function customerWords(reason: string | null): string | null {
  const trimmed = reason?.trim() ?? '';
  return trimmed.length === 0 ? null : trimmed.slice(0, MAX_REASON_LENGTH);
}

export function recordChurn(state: ChurnAlertState | null, event: ChurnEvent): ChurnOutcome {
  if (state !== null && state.account !== event.account)
    throw new Error(`alert state of ${state.account} cannot record the churn of ${event.account}`);
  const first = state?.firstWarningAt ?? null;
  const warned = first !== null && first <= event.at;
  const leadTimeMs = warned ? event.at - first : null;
  return {
    account: event.account,
    churnedAt: event.at,
    warned,
    firstWarningAt: warned ? first : null,
    leadTimeMs,
    leadTimeDays: leadTimeMs === null ? null : Math.round((leadTimeMs / DAY_MS) * 10) / 10,
    bandAtChurn: state?.band ?? 'healthy',
    scoreAtChurn: state?.score ?? null,
    reason: customerWords(event.reason),
    reasonCode: event.reasonCode?.trim() || null,
  };
}
