// `journey churn fit` and `journey churn evaluate`: labelled samples from the account history in
// ClickHouse (churned = a churn outcome exists; the sample is the account's last score snapshot at
// least `horizonDays` before it churned; retained accounts use their latest snapshot), a
// deterministic train/test split by account, logistic-regression weights fitted on the train part,
// and ROC AUC, precision/recall at top-k and calibration on the held-out part.
import type { ClickHouseClient } from '@clickhouse/client';
import { stringify } from 'yaml';
import type { ChurnConfig } from '../churn/churn-config.ts';
import type { ChurnEvaluation } from '../churn/evaluate-churn-model.ts';
import { evaluate } from '../churn/evaluate-churn-model.ts';
import type { ChurnSample } from '../churn/fit-weights.ts';
import { fitWeights } from '../churn/fit-weights.ts';
import type { ChurnSignals } from '../churn/churn-signals.ts';
import { trainTestSplit } from '../churn/train-test-split.ts';

export async function loadChurnSamples(
  client: ClickHouseClient,
  database: string,
  horizonDays: number,
): Promise<ChurnSample[]> {
  const rows = await (
    await client.query({
      query: `
        SELECT s.account_key AS account_key, argMax(s.signals, s.scored_at) AS signals, max(o.churned) AS churned
        FROM ${database}.churn_scores AS s
        LEFT JOIN (SELECT account_key, min(churned_at) AS churned_at, toUInt8(1) AS churned
                   FROM ${database}.churn_outcomes GROUP BY account_key) AS o ON o.account_key = s.account_key
        WHERE s.signals != '' AND (o.churned = 0 OR s.scored_at <= o.churned_at - toIntervalDay({horizon:UInt32}))
        GROUP BY s.account_key
        ORDER BY s.account_key`,
      query_params: { horizon: horizonDays },
      format: 'JSONEachRow',
    })
  ).json<{ account_key: string; signals: string; churned: number | string }>();
  return rows.map((row) => ({
    signals: JSON.parse(row.signals) as ChurnSignals,
    churned: Number(row.churned) === 1,
  }));
}

export interface ChurnModelReport {
  samples: number;
  churned: number;
  train: number;
  test: number;
  before: ChurnEvaluation;
  after: ChurnEvaluation;
  fitted: ChurnConfig['model'];
  converged: boolean;
}

export function fitAndEvaluate(
  samples: readonly ChurnSample[],
  config: ChurnConfig,
  seed = 'journey',
): ChurnModelReport {
  const { train, test } = trainTestSplit([...samples], seed, 0.3);
  const fit = fitWeights(train);
  return {
    samples: samples.length,
    churned: samples.filter((s) => s.churned).length,
    train: train.length,
    test: test.length,
    before: evaluate(test, config),
    after: evaluate(test, { model: fit.model }),
    fitted: fit.model,
    converged: fit.converged,
  };
}

export function formatChurnReport(report: ChurnModelReport): string {
  const fmt = (e: ChurnEvaluation): string => {
    const top = e.topK
      .map(
        (k) =>
          `precision@${k.k} ${k.precision.toFixed(2)} recall@${k.k} ${k.recall === null ? 'n/a' : k.recall.toFixed(2)}`,
      )
      .join(', ');
    return `AUC ${e.auc === null ? 'n/a' : e.auc.toFixed(3)}; ${top}`;
  };
  const lines = [
    `samples ${report.samples} (${report.churned} churned); train ${report.train}, held-out test ${report.test}`,
    `default weights : ${fmt(report.before)}`,
    `fitted weights  : ${fmt(report.after)}${report.converged ? '' : ' (did not converge)'}`,
    'calibration (fitted, held-out): predicted vs observed churn rate per decile',
    ...report.after.calibration.map((b) => `  ${JSON.stringify(b)}`),
  ];
  return lines.join('\n');
}

export const fittedModelYaml = (model: ChurnConfig['model']): string => stringify({ model });
