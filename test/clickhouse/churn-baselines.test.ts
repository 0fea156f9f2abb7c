// The churn model against naive single-signal baselines (issue #15): four workloads whose churn
// follows different mechanisms, with different layers missing (services/workload/mechanisms/),
// each replayed through the ingest and journey cores into ClickHouse and read back as
// `journey churn evaluate --baselines` reads it. On the same held-out accounts (mean over 10
// account splits) the model, fitted on the other accounts and with the shipped weights, must beat
// every baseline on every workload, and reach 0.85 AUC on the mixed one. docs/churn.md quotes the
// table this prints (`make churn-baselines` prints the same). Deterministic: seeded workloads and
// splits, so the margins are not a matter of luck from run to run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../services/shared/config/config.ts';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import { CHURN_BASELINE_NAMES } from '../../services/churn/churn-baselines.ts';
import { MECHANISM_WORKLOADS } from '../../services/workload/mechanisms/mechanism-specs.ts';
import { MECHANISM_RUN, runMechanismWorkload } from '../../services/tools/churn-mechanisms.ts';
import { formatBaselineTable } from '../../services/tools/churn-baseline-report.ts';
import { uniqueName } from '../support/stack.ts';

test('the churn model beats every single-signal baseline on four churn mechanisms; 0.85 AUC on the mixed one', async (t) => {
  const config = loadConfig({ ...process.env, PII_HMAC_KEY: MECHANISM_RUN.hmacKey });
  const client = createClickHouse(config, { database: null });
  t.after(() => client.close());
  const rows = [];
  const failures: string[] = [];
  for (const spec of MECHANISM_WORKLOADS) {
    const database = uniqueName(`churn_${spec.name}`).replace(/[^A-Za-z0-9_]/g, '_');
    const result = await runMechanismWorkload(config, client, spec, { ...MECHANISM_RUN, database });
    t.after(() => client.command({ query: `DROP DATABASE IF EXISTS ${database}` }));
    assert.equal(result.deadLetters, 0, `${spec.name}: every vendor payload is accepted`);
    assert.ok(result.churners.length >= 50, `${spec.name}: ${result.churners.length} churners`);
    rows.push({ name: spec.name, comparison: result.comparison });
    const { auc } = result.comparison;
    for (const model of ['fitted', 'configured'] as const)
      for (const baseline of CHURN_BASELINE_NAMES)
        if (!(auc[model] > auc[baseline] + 0.02))
          failures.push(
            `${spec.name}: ${model} ${auc[model].toFixed(3)} vs ${baseline} ${auc[baseline].toFixed(3)}`,
          );
    if (spec.name === 'mixed')
      for (const model of ['fitted', 'configured'] as const)
        if (!(auc[model] >= 0.85)) failures.push(`mixed: ${model} AUC ${auc[model].toFixed(3)} < 0.85`);
  }
  for (const line of formatBaselineTable(rows).split('\n')) t.diagnostic(line);
  assert.deepEqual(failures, []);
});
