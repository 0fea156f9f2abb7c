// Fits the churn model's bias and weights to labelled account history: L2-regularised logistic
// regression on standardised features, solved by Newton's method (IRLS) with step halving. Fully
// deterministic: same samples in the same order give the same weights, bit for bit.

import type { ChurnModel } from './churn-config.ts';
import { CHURN_FACTORS, churnFeatures } from './churn-factors.ts';
import type { ChurnFactor } from './churn-factors.ts';
import type { ChurnSignals } from './churn-signals.ts';
import { sigmoid } from './score-account.ts';
import { solveLinearSystem } from './solve-linear-system.ts';

/** An account's signals at a snapshot time (`signals.asOf`) and whether it churned within the
 * horizon after it (the horizon is the caller's choice, e.g. 90 days). */
export interface ChurnSample {
  readonly signals: ChurnSignals;
  readonly churned: boolean;
  /** When the sample is scored (epoch ms); default `signals.asOf`. Later times age the inactivity
   * counters as the scheduled re-score would. */
  readonly at?: number;
}

export interface FitOptions {
  /** L2 penalty on the standardised weights (not the bias); > 0 keeps separable data finite. */
  readonly l2?: number;
  readonly maxIterations?: number;
  /** Stop when no standardised coefficient moves by more than this. */
  readonly tolerance?: number;
}

export interface FitResult {
  /** Weights for the raw [0, 1] features: drop-in for ChurnConfig.model. */
  readonly model: ChurnModel;
  /** Weight per standard deviation of each feature: comparable across factors (0 = constant feature). */
  readonly standardisedWeights: Readonly<Record<ChurnFactor, number>>;
  readonly iterations: number;
  readonly converged: boolean;
  /** Mean training log loss (natural log) without the penalty. */
  readonly logLoss: number;
}

export const DEFAULT_FIT_OPTIONS: Required<FitOptions> = { l2: 0.01, maxIterations: 100, tolerance: 1e-9 };

const EPS = 1e-15;

function meanLogLoss(eta: readonly number[], y: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < eta.length; i++) {
    const p = Math.min(1 - EPS, Math.max(EPS, sigmoid(eta[i]!)));
    sum -= y[i]! === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / eta.length;
}

export function fitWeights(samples: readonly ChurnSample[], options: FitOptions = {}): FitResult {
  const { l2, maxIterations, tolerance } = { ...DEFAULT_FIT_OPTIONS, ...options };
  const n = samples.length;
  const positives = samples.filter((s) => s.churned).length;
  if (positives === 0 || positives === n)
    throw new RangeError(`fitWeights needs churned and retained samples, got ${positives} of ${n} churned`);
  if (!(l2 >= 0)) throw new RangeError(`l2 must be >= 0, got ${l2}`);

  // Standardise; constant features cannot be learned and keep weight 0.
  const raw = samples.map((s) => churnFeatures(s.signals, s.at ?? s.signals.asOf));
  const y = samples.map((s) => (s.churned ? 1 : 0));
  const mean = {} as Record<ChurnFactor, number>;
  const sd = {} as Record<ChurnFactor, number>;
  for (const f of CHURN_FACTORS) {
    mean[f] = raw.reduce((acc, x) => acc + x[f], 0) / n;
    sd[f] = Math.sqrt(raw.reduce((acc, x) => acc + (x[f] - mean[f]) ** 2, 0) / n);
  }
  const active = CHURN_FACTORS.filter((f) => sd[f] > 1e-12);
  const k = active.length + 1; // column 0 is the intercept
  const z = raw.map((x) => [1, ...active.map((f) => (x[f] - mean[f]) / sd[f])]);

  const linear = (beta: readonly number[]): number[] =>
    z.map((row) => row.reduce((acc, v, j) => acc + v * beta[j]!, 0));
  const penalised = (beta: readonly number[]): number =>
    meanLogLoss(linear(beta), y) + (l2 / 2) * beta.slice(1).reduce((acc, b) => acc + b * b, 0);

  let beta = new Array<number>(k).fill(0);
  beta[0] = Math.log(positives / (n - positives));
  let loss = penalised(beta);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations++;
    const eta = linear(beta);
    const gradient = new Array<number>(k).fill(0);
    const hessian = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let i = 0; i < n; i++) {
      const p = sigmoid(eta[i]!);
      const w = p * (1 - p);
      const row = z[i]!;
      for (let a = 0; a < k; a++) {
        gradient[a]! += ((p - y[i]!) * row[a]!) / n;
        for (let b = 0; b <= a; b++) hessian[a]![b]! += (w * row[a]! * row[b]!) / n;
      }
    }
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < a; b++) hessian[b]![a] = hessian[a]![b]!;
      if (a > 0) {
        gradient[a]! += l2 * beta[a]!;
        hessian[a]![a]! += l2;
      }
    }
    const step = solveLinearSystem(hessian, gradient);
    if (step === null) break; // singular: unpenalised and separable; keep the last finite estimate
    let t = 1;
    let next = beta.map((b, j) => b - t * step[j]!);
    let nextLoss = penalised(next);
    while (nextLoss > loss && t > 1e-10) {
      t /= 2;
      next = beta.map((b, j) => b - t * step[j]!);
      nextLoss = penalised(next);
    }
    converged = Math.max(...step.map((s) => Math.abs(t * s))) < tolerance;
    if (nextLoss <= loss) {
      beta = next;
      loss = nextLoss;
    } else {
      converged = true; // no descent left at machine precision
    }
  }

  const weights = {} as Record<ChurnFactor, number>;
  const standardisedWeights = {} as Record<ChurnFactor, number>;
  let bias = beta[0]!;
  for (const f of CHURN_FACTORS) {
    const j = active.indexOf(f);
    const b = j < 0 ? 0 : beta[j + 1]!;
    standardisedWeights[f] = b;
    weights[f] = j < 0 ? 0 : b / sd[f];
    if (j >= 0) bias -= (b * mean[f]) / sd[f];
  }
  return {
    model: { bias, weights },
    standardisedWeights,
    iterations,
    converged,
    logLoss: meanLogLoss(linear(beta), y),
  };
}
