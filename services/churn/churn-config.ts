// Churn model and alerting configuration. Passed to every core function; no module-level
// singleton. config/churn.yaml carries the same defaults (a test keeps them equal); the shell
// loads it with loadChurnConfig (churn-config-file.ts) once at startup.

import { CHURN_FACTORS } from './churn-factors.ts';
import type { ChurnFactor } from './churn-factors.ts';

/** score = 100 * sigmoid(bias + sum of weights[f] * feature[f]). */
export interface ChurnModel {
  readonly bias: number;
  readonly weights: Readonly<Record<ChurnFactor, number>>;
}

/** A band is entered at `enter` or above and left only below `exit` (exit < enter): the gap
 * between them is the hysteresis that stops a score near a threshold from flapping. */
export interface BandThresholds {
  readonly enter: number;
  readonly exit: number;
}

export interface ChurnConfig {
  readonly model: ChurnModel;
  readonly bands: { readonly watch: BandThresholds; readonly atRisk: BandThresholds };
  readonly alerts: {
    /** After an alert for a band, re-entering that band (or a milder one) within this long stays silent. */
    readonly cooldownMs: number;
  };
  readonly reasons: {
    /** Most reasons attached to a score. */
    readonly max: number;
    /** Factors contributing fewer points than this are not listed. */
    readonly minPoints: number;
  };
}

const HOUR_MS = 3_600_000;

export const DEFAULT_CHURN_CONFIG: ChurnConfig = {
  model: {
    bias: -4,
    weights: {
      usage_decline: 3,
      people_decline: 2,
      inactivity: 2.5,
      seat_underuse: 1,
      ticket_volume: 1.5,
      urgent_tickets: 2.5,
      nps_detractor: 1.5,
      csat_dissatisfaction: 1,
      payment_failures: 4,
      downgrades: 1.5,
      mrr_contraction: 1.5,
      champion_inactive: 1.5,
    },
  },
  bands: { watch: { enter: 40, exit: 30 }, atRisk: { enter: 70, exit: 60 } },
  alerts: { cooldownMs: 72 * HOUR_MS },
  reasons: { max: 3, minPoints: 1 },
};

/** Every problem at once, named by field, so the shell can print them all before connecting. */
export function validateChurnConfig(config: ChurnConfig): string[] {
  const problems: string[] = [];
  const finite = (name: string, value: number): void => {
    if (!Number.isFinite(value)) problems.push(`${name} must be a finite number, got ${value}`);
  };
  finite('model.bias', config.model.bias);
  for (const factor of CHURN_FACTORS) finite(`model.weights.${factor}`, config.model.weights[factor]);
  const extra = Object.keys(config.model.weights).filter(
    (k) => !(CHURN_FACTORS as readonly string[]).includes(k),
  );
  for (const name of extra) problems.push(`model.weights.${name} is not a churn factor`);

  const { watch, atRisk } = config.bands;
  const score = (name: string, value: number): void => {
    if (!Number.isFinite(value) || value <= 0 || value > 100)
      problems.push(`${name} must be a score in (0, 100], got ${value}`);
  };
  score('bands.watch.enter', watch.enter);
  score('bands.watch.exit', watch.exit);
  score('bands.at_risk.enter', atRisk.enter);
  score('bands.at_risk.exit', atRisk.exit);
  if (!(watch.exit < watch.enter)) problems.push('bands.watch.exit must be below bands.watch.enter');
  if (!(atRisk.exit < atRisk.enter)) problems.push('bands.at_risk.exit must be below bands.at_risk.enter');
  if (!(watch.enter < atRisk.enter)) problems.push('bands.watch.enter must be below bands.at_risk.enter');
  if (!(watch.exit < atRisk.exit)) problems.push('bands.watch.exit must be below bands.at_risk.exit');

  if (!Number.isFinite(config.alerts.cooldownMs) || config.alerts.cooldownMs < 0)
    problems.push(`alerts.cooldown_hours must be >= 0, got ${config.alerts.cooldownMs / HOUR_MS}`);
  if (!Number.isInteger(config.reasons.max) || config.reasons.max < 0)
    problems.push(`reasons.max must be a non-negative integer, got ${config.reasons.max}`);
  if (!Number.isFinite(config.reasons.minPoints) || config.reasons.minPoints < 0)
    problems.push(`reasons.min_points must be >= 0, got ${config.reasons.minPoints}`);
  return problems;
}
