// Per-account alert state: the band with hysteresis, the start of the current risk episode, and
// when each band last alerted. An alert fires when the account moves to a worse band, unless the
// same band (or a worse one) already alerted within the cool-down. Improvements never alert.

import { createHash } from 'node:crypto';
import { bandLevel, nextBand } from './churn-bands.ts';
import type { ChurnBand } from './churn-bands.ts';
import type { ChurnConfig } from './churn-config.ts';
import type { ChurnReason, ChurnScore } from './score-account.ts';

export type AlertingBand = Exclude<ChurnBand, 'healthy'>;

export interface ChurnAlertState {
  readonly account: string;
  readonly band: ChurnBand;
  readonly score: number;
  readonly scoredAt: number;
  /** When the account entered its current band. */
  readonly bandSince: number;
  /** First entry into watch or at_risk of the current risk episode; null while healthy. */
  readonly firstWarningAt: number | null;
  /** When each band last fired an alert (cool-down bookkeeping). */
  readonly lastAlertAt: Readonly<Record<AlertingBand, number | null>>;
}

export interface ChurnAlert {
  /** Deterministic: the same account, band and time give the same id on every replay. */
  readonly alertId: string;
  readonly account: string;
  readonly score: number;
  readonly band: AlertingBand;
  readonly previousBand: ChurnBand;
  readonly reasons: readonly ChurnReason[];
  readonly mrr: number;
  readonly at: number;
  readonly firstWarningAt: number;
}

export interface AlertUpdate {
  readonly state: ChurnAlertState;
  readonly alert: ChurnAlert | null;
}

export const churnAlertIdFor = (account: string, band: AlertingBand, at: number): string =>
  'ca_' +
  createHash('sha256')
    .update(`churn_alert\u0000${account}\u0000${band}\u0000${at}`, 'utf8')
    .digest('hex')
    .slice(0, 32);

/** A first-seen account starts healthy as of its first score. */
const initialState = (account: string, scoredAt: number, now: number): ChurnAlertState => ({
  account,
  band: 'healthy',
  score: 0,
  scoredAt,
  bandSince: now,
  firstWarningAt: null,
  lastAlertAt: { watch: null, at_risk: null },
});

/** True when `band` or a worse band alerted within the cool-down before `now`. */
function coolingDown(state: ChurnAlertState, band: AlertingBand, now: number, cooldownMs: number): boolean {
  const worseOrEqual: AlertingBand[] = band === 'watch' ? ['watch', 'at_risk'] : ['at_risk'];
  return worseOrEqual.some((b) => {
    const at = state.lastAlertAt[b];
    return at !== null && now - at < cooldownMs;
  });
}

/** Folds one score into the account's alert state. A score older than the last one folded is
 * ignored (replays and out-of-order re-scores cannot move the band backwards in time). */
export function updateAlertState(
  prev: ChurnAlertState | null,
  scored: ChurnScore,
  now: number,
  config: ChurnConfig,
): AlertUpdate {
  const before = prev ?? initialState(scored.account, scored.scoredAt, now);
  if (before.account !== scored.account)
    throw new Error(`alert state of ${before.account} cannot fold a score of ${scored.account}`);
  if (scored.scoredAt < before.scoredAt) return { state: before, alert: null };

  const band = nextBand(before.band, scored.score, config.bands);
  const changed = band !== before.band;
  const firstWarningAt = band === 'healthy' ? null : (before.firstWarningAt ?? now);
  let state: ChurnAlertState = {
    ...before,
    band,
    score: scored.score,
    scoredAt: scored.scoredAt,
    bandSince: changed ? now : before.bandSince,
    firstWarningAt,
  };
  if (band === 'healthy' || bandLevel(band) <= bandLevel(before.band)) return { state, alert: null };
  if (coolingDown(before, band, now, config.alerts.cooldownMs)) return { state, alert: null };

  state = { ...state, lastAlertAt: { ...state.lastAlertAt, [band]: now } };
  const alert: ChurnAlert = {
    alertId: churnAlertIdFor(scored.account, band, now),
    account: scored.account,
    score: scored.score,
    band,
    previousBand: before.band,
    reasons: scored.reasons,
    mrr: scored.mrr,
    at: now,
    firstWarningAt: firstWarningAt ?? now,
  };
  return { state, alert };
}
