// How well a churn model separates accounts that churned from those that stayed, on labelled
// samples: ROC AUC, precision and recall among the k highest scores, and a calibration table.

import type { ChurnConfig } from './churn-config.ts';
import { churnFeatures } from './churn-factors.ts';
import type { ChurnSample } from './fit-weights.ts';
import { churnLogit, sigmoid } from './score-account.ts';

export interface TopKResult {
  readonly k: number;
  /** Churned among the k highest scores / k. */
  readonly precision: number;
  /** Churned among the k highest scores / all churned; null without churned samples. */
  readonly recall: number | null;
  /** The lowest score (0..100) inside the top k. */
  readonly minScore: number;
}

export interface CalibrationBucket {
  /** 1..10, lowest predicted first. */
  readonly decile: number;
  readonly count: number;
  /** Mean predicted churn probability (score / 100). */
  readonly meanPredicted: number;
  /** Fraction that actually churned. */
  readonly observedRate: number;
}

export interface ChurnEvaluation {
  readonly samples: number;
  readonly churned: number;
  /** P(score of a random churned account > score of a random retained one), ties count half;
   * null unless both classes are present. */
  readonly auc: number | null;
  readonly topK: readonly TopKResult[];
  readonly calibration: readonly CalibrationBucket[];
}

/** Rank-based ROC AUC (Mann-Whitney U with mid-ranks for ties). */
export function rocAuc(scores: readonly number[], positive: readonly boolean[]): number | null {
  const order = scores.map((s, i) => ({ s, p: positive[i] === true })).sort((a, b) => a.s - b.s);
  const nPos = order.filter((o) => o.p).length;
  const nNeg = order.length - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  let rankSumPos = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j]!.s === order[i]!.s) j++;
    const midRank = (i + 1 + j) / 2; // ranks i+1..j share their mean
    for (let t = i; t < j; t++) if (order[t]!.p) rankSumPos += midRank;
    i = j;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

interface Scored {
  readonly account: string;
  readonly probability: number;
  readonly churned: boolean;
}

/** Highest first; ties in account-key order so the top k is deterministic. */
const byRisk = (a: Scored, b: Scored): number =>
  b.probability - a.probability || (a.account < b.account ? -1 : a.account > b.account ? 1 : 0);

export function topKResults(scored: readonly Scored[], ks: readonly number[]): TopKResult[] {
  const ranked = [...scored].sort(byRisk);
  const totalChurned = ranked.filter((s) => s.churned).length;
  return ks
    .map((k) => Math.min(k, ranked.length))
    .filter((k) => k > 0)
    .map((k) => {
      const top = ranked.slice(0, k);
      const hits = top.filter((s) => s.churned).length;
      return {
        k,
        precision: hits / k,
        recall: totalChurned === 0 ? null : hits / totalChurned,
        minScore: 100 * top[k - 1]!.probability,
      };
    });
}

/** Ten equal-count buckets by predicted probability (fewer when there are under ten samples). */
export function calibrationTable(scored: readonly Scored[]): CalibrationBucket[] {
  const ranked = [...scored].sort(byRisk).reverse();
  const buckets: CalibrationBucket[] = [];
  for (let d = 0; d < 10; d++) {
    const from = Math.floor((d * ranked.length) / 10);
    const to = Math.floor(((d + 1) * ranked.length) / 10);
    const bucket = ranked.slice(from, to);
    if (bucket.length === 0) continue;
    buckets.push({
      decile: d + 1,
      count: bucket.length,
      meanPredicted: bucket.reduce((acc, s) => acc + s.probability, 0) / bucket.length,
      observedRate: bucket.filter((s) => s.churned).length / bucket.length,
    });
  }
  return buckets;
}

/** Scores every sample at its own time (`at`, else `signals.asOf`) with `config.model`. */
export function evaluate(
  samples: readonly ChurnSample[],
  config: Pick<ChurnConfig, 'model'>,
  ks: readonly number[] = [10, 50, 100],
): ChurnEvaluation {
  const scored: Scored[] = samples.map((s) => ({
    account: s.signals.account,
    probability: sigmoid(churnLogit(churnFeatures(s.signals, s.at ?? s.signals.asOf), config.model)),
    churned: s.churned,
  }));
  return {
    samples: scored.length,
    churned: scored.filter((s) => s.churned).length,
    auc: rocAuc(
      scored.map((s) => s.probability),
      scored.map((s) => s.churned),
    ),
    topK: topKResults(scored, ks),
    calibration: calibrationTable(scored),
  };
}
