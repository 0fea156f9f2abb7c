// `make churn-baselines`: every churn-mechanism workload replayed and the model compared with the
// naive baselines (services/tools/churn-mechanisms.ts). Needs ClickHouse (the stack's); writes one
// database per workload, `<CLICKHOUSE_DATABASE>_churn_<workload>`, dropped first.
import { loadConfig } from '../shared/config/config.ts';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import { MECHANISM_WORKLOADS } from '../workload/mechanisms/mechanism-specs.ts';
import { MECHANISM_RUN, runMechanismWorkload } from './churn-mechanisms.ts';
import { formatBaselineTable } from './churn-baseline-report.ts';

const only = process.argv.slice(2);
const config = loadConfig({
  ...process.env,
  PII_HMAC_KEY: MECHANISM_RUN.hmacKey,
});
const client = createClickHouse(config, { database: null });
const rows = [];
try {
  for (const spec of MECHANISM_WORKLOADS.filter((w) => only.length === 0 || only.includes(w.name))) {
    const database = `${config.CLICKHOUSE_DATABASE}_churn_${spec.name.replace(/[^A-Za-z0-9]/g, '_')}`;
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    const started = Date.now();
    const result = await runMechanismWorkload(config, client, spec, { ...MECHANISM_RUN, database });
    const byMechanism = new Map<string, number>();
    for (const c of result.churners) byMechanism.set(c.mechanism, (byMechanism.get(c.mechanism) ?? 0) + 1);
    console.log(
      `${spec.name}: ${spec.description}; ${result.messages} messages (${result.deadLetters} dead letters), churners ${JSON.stringify(Object.fromEntries(byMechanism))}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    rows.push({ name: spec.name, comparison: result.comparison });
  }
  console.log(formatBaselineTable(rows));
} finally {
  await client.close();
}
