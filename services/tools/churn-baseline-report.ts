// `journey churn evaluate --baselines`: the churn model against every naive single-signal ranking
// on the same held-out accounts. One account split holds out a few dozen churners, so every figure
// is the mean over `splits` account splits (the same splits for every row): the model fitted on
// the train accounts, the configured (default) weights, and each baseline, all scored on the
// held-out accounts of each split.
import type { ChurnConfig } from '../churn/churn-config.ts';
import { CHURN_BASELINE_NAMES, CHURN_BASELINES } from '../churn/churn-baselines.ts';
import type { ChurnBaseline } from '../churn/churn-baselines.ts';
import { churnFeatures } from '../churn/churn-factors.ts';
import { rocAuc } from '../churn/evaluate-churn-model.ts';
import type { ChurnSample, FitOptions } from '../churn/fit-weights.ts';
import { fitWeights } from '../churn/fit-weights.ts';
import { churnLogit } from '../churn/score-account.ts';
import { trainTestSplit } from '../churn/train-test-split.ts';
import { CHURN_FIT_OPTIONS } from './churn-model.ts';

export interface BaselineComparison {
  samples: number;
  accounts: number;
  churned: number;
  splits: number;
  /** Mean held-out AUC per ranking: 'fitted', 'configured', then every baseline. */
  auc: Record<'fitted' | 'configured' | ChurnBaseline, number>;
}

const at = (s: ChurnSample): number => s.at ?? s.signals.asOf;

export function compareWithBaselines(
  samples: readonly ChurnSample[],
  config: Pick<ChurnConfig, 'model'>,
  splits = 10,
  fitOptions: FitOptions = CHURN_FIT_OPTIONS,
): BaselineComparison {
  const sums = new Map<string, number>();
  const add = (name: string, scores: number[], labels: boolean[]): void => {
    sums.set(name, (sums.get(name) ?? 0) + (rocAuc(scores, labels) ?? 0.5));
  };
  for (let i = 0; i < splits; i++) {
    const { train, test } = trainTestSplit([...samples], `split-${i}`, 0.3);
    const labels = test.map((s) => s.churned);
    const fitted = fitWeights(train, fitOptions).model;
    add(
      'fitted',
      test.map((s) => churnLogit(churnFeatures(s.signals, at(s)), fitted)),
      labels,
    );
    add(
      'configured',
      test.map((s) => churnLogit(churnFeatures(s.signals, at(s)), config.model)),
      labels,
    );
    for (const name of CHURN_BASELINE_NAMES)
      add(
        name,
        test.map((s) => CHURN_BASELINES[name](s.signals, at(s))),
        labels,
      );
  }
  const auc = Object.fromEntries(
    [...sums].map(([name, sum]) => [name, sum / splits]),
  ) as BaselineComparison['auc'];
  return {
    samples: samples.length,
    accounts: new Set(samples.map((s) => s.signals.account)).size,
    churned: samples.filter((s) => s.churned).length,
    splits,
    auc,
  };
}

/** The strongest baseline and by how much the fitted model beats it (negative = loses). */
export function bestBaseline(c: BaselineComparison): { name: ChurnBaseline; auc: number; margin: number } {
  const [name, auc] = CHURN_BASELINE_NAMES.map((n) => [n, c.auc[n]] as const).sort((a, b) => b[1] - a[1])[0]!;
  return { name, auc, margin: c.auc.fitted - auc };
}

/** A Markdown table: one row per workload, one column per ranking. */
export function formatBaselineTable(
  rows: ReadonlyArray<{ name: string; comparison: BaselineComparison }>,
): string {
  const columns = ['fitted', 'configured', ...CHURN_BASELINE_NAMES] as const;
  const lines = [
    `| workload | accounts | churn samples | ${columns.join(' | ')} | best baseline |`,
    `|---|---|---|${columns.map(() => '---').join('|')}|---|`,
  ];
  for (const { name, comparison: c } of rows) {
    const best = bestBaseline(c);
    lines.push(
      `| ${name} | ${c.accounts} | ${c.churned}/${c.samples} | ${columns
        .map((col) => c.auc[col].toFixed(3))
        .join(' | ')} | ${best.name} (${best.margin >= 0 ? '+' : ''}${best.margin.toFixed(3)}) |`,
    );
  }
  return lines.join('\n');
}
