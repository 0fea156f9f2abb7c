// The churn score: a logistic model over the factor features, explained by each factor's share
// of the points above the all-healthy baseline. Pure: the clock comes in as `now`.

import { bandForScore } from './churn-bands.ts';
import type { ChurnBand } from './churn-bands.ts';
import type { ChurnConfig, ChurnModel } from './churn-config.ts';
import { CHURN_FACTORS, churnFeatures, describeFactor } from './churn-factors.ts';
import type { ChurnFactor, ChurnFeatures } from './churn-factors.ts';
import type { ChurnSignals } from './churn-signals.ts';

export interface ChurnReason {
  readonly factor: ChurnFactor;
  /** Score points this factor adds (rounded to 0.1). */
  readonly contribution: number;
  /** e.g. "usage down 64% vs 4-week baseline (+18 pts)". */
  readonly text: string;
}

export interface ChurnScore {
  readonly account: string;
  /** 0..100, rounded to 0.1: the model's churn probability in percent. */
  readonly score: number;
  /** The band from the enter thresholds alone; the alert state applies hysteresis on top. */
  readonly band: ChurnBand;
  /** Top contributing factors, largest first. */
  readonly reasons: readonly ChurnReason[];
  readonly scoredAt: number;
  readonly mrr: number;
  /** mrr * score / 100: the expected MRR loss, for ranking who to call first. */
  readonly mrrAtRisk: number;
}

export const sigmoid = (z: number): number =>
  z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));

export function churnLogit(features: ChurnFeatures, model: ChurnModel): number {
  let z = model.bias;
  for (const factor of CHURN_FACTORS) z += model.weights[factor] * features[factor];
  return z;
}

/** Points each factor adds to 100 * sigmoid(logit) over the baseline 100 * sigmoid(bias). The
 * points are split in proportion to each factor's term w * x of the log-odds (for a model that is
 * a function of one linear sum this equals integrated gradients), so they add up exactly to
 * score - baseline, and a factor with a negative weight takes points away. */
export function factorContributions(features: ChurnFeatures, model: ChurnModel): Record<ChurnFactor, number> {
  const z = churnLogit(features, model);
  const delta = z - model.bias;
  const base = sigmoid(model.bias);
  // Points per unit of log-odds: the secant slope, or the tangent where the secant degenerates.
  const slope = Math.abs(delta) > 1e-9 ? (100 * (sigmoid(z) - base)) / delta : 100 * base * (1 - base);
  const out = {} as Record<ChurnFactor, number>;
  for (const factor of CHURN_FACTORS) out[factor] = slope * model.weights[factor] * features[factor];
  return out;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

export function scoreAccount(signals: ChurnSignals, config: ChurnConfig, now: number): ChurnScore {
  const features = churnFeatures(signals, now);
  const score = round1(100 * sigmoid(churnLogit(features, config.model)));
  const contributions = factorContributions(features, config.model);
  const reasons = CHURN_FACTORS.filter((f) => contributions[f] >= config.reasons.minPoints)
    .sort(
      (a, b) => contributions[b] - contributions[a] || CHURN_FACTORS.indexOf(a) - CHURN_FACTORS.indexOf(b),
    )
    .slice(0, config.reasons.max)
    .map((factor) => ({
      factor,
      contribution: round1(contributions[factor]),
      text: `${describeFactor(factor, signals, now)} (+${Math.round(contributions[factor])} pts)`,
    }));
  return {
    account: signals.account,
    score,
    band: bandForScore(score, config.bands),
    reasons,
    scoredAt: now,
    mrr: signals.mrr,
    mrrAtRisk: Math.round(signals.mrr * score) / 100,
  };
}
