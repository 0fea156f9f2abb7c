// `journey churn fit|evaluate`: fit the churn weights / report AUC on the ClickHouse history.
import { writeFileSync } from 'node:fs';
import { createClickHouse } from '../../shared/clickhouse/clickhouse-client.ts';
import { journeyContextFrom } from '../../journey/journey-service.ts';
import {
  fitAndEvaluate,
  fittedModelYaml,
  formatChurnReport,
  loadChurnSamples,
} from '../../tools/churn-model.ts';
import { compareWithBaselines, formatBaselineTable } from '../../tools/churn-baseline-report.ts';
import { UsageError, intOption, stringOption } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';

export const CHURN: CommandSpec = {
  summary:
    'fit weights / report AUC on ClickHouse history (with --baselines: against every single-signal ranking)',
  usage: 'fit|evaluate [--baselines] [--horizon-days 28] [--step-days 7] [--out config/churn.fitted.yaml]',
  options: {
    baselines: { type: 'boolean' },
    'horizon-days': { type: 'string' },
    'step-days': { type: 'string' },
    out: { type: 'string' },
  },
  positionals: [1, 1],
  run: async (ctx) => {
    const mode = ctx.args[0];
    if (mode !== 'fit' && mode !== 'evaluate')
      throw new UsageError(`unknown mode '${mode}' (fit or evaluate)`);
    const horizonDays = intOption(ctx.values, 'horizon-days', 28, 1);
    const stepDays = intOption(ctx.values, 'step-days', 7, 1);
    const client = createClickHouse(ctx.config, { database: null });
    try {
      const samples = await loadChurnSamples(client, ctx.config.CLICKHOUSE_DATABASE, {
        horizonDays,
        stepDays,
      });
      const churnConfig = journeyContextFrom(ctx.config).churn;
      const report = fitAndEvaluate(samples, churnConfig);
      console.log(formatChurnReport(report));
      if (ctx.values['baselines'] === true) {
        const comparison = compareWithBaselines(samples, churnConfig);
        console.log(
          `\nagainst single-signal baselines, mean held-out AUC over ${comparison.splits} account splits:`,
        );
        console.log(formatBaselineTable([{ name: ctx.config.CLICKHOUSE_DATABASE, comparison }]));
      }
      const out = stringOption(ctx.values, 'out');
      if (mode === 'fit' && out) {
        writeFileSync(out, fittedModelYaml(report.fitted));
        console.log(
          `fitted model written to ${out} (merge its model: block into ${ctx.config.CHURN_CONFIG_FILE})`,
        );
      }
    } finally {
      await client.close();
    }
    return 0;
  },
};
