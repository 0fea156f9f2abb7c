// The churn model against naive baselines on the churn-mechanism workloads
// (services/workload/mechanisms/): each workload replayed through the ingest and journey cores
// (replay-workload.ts), its churn history written to its own ClickHouse database, then the samples
// `journey churn evaluate --baselines` reads, compared side by side. `make churn-baselines` prints
// the table docs/churn.md quotes; test/clickhouse/churn-baselines.test.ts asserts on it.
import type { ClickHouseClient } from '@clickhouse/client';
import type { PipelineConfig } from '../shared/config/config.ts';
import { migrate } from '../sink/migrate.ts';
import { writeRows } from '../sink/write-rows.ts';
import { journeyContextFrom } from '../journey/journey-service.ts';
import { generateMechanismWorkload } from '../workload/mechanisms/mechanism-workload.ts';
import type { MechanismChurner } from '../workload/mechanisms/mechanism-workload.ts';
import type { MechanismWorkloadSpec } from '../workload/mechanisms/churn-mechanisms.ts';
import { replayMessages } from './replay-workload.ts';
import { loadChurnSamples } from './churn-model.ts';
import { compareWithBaselines } from './churn-baseline-report.ts';
import type { BaselineComparison } from './churn-baseline-report.ts';
import type { RowsByTable } from '../sink/rows/journey-rows.ts';

const CHURN_TABLES = ['churn_scores', 'churn_outcomes'];

/** The run docs/churn.md quotes: seed, start (the window spans the year-end holiday) and the
 * pseudonymisation key (person ids, hence the seat sketches, depend on it). */
export const MECHANISM_RUN = {
  seed: 1,
  startMs: Date.UTC(2026, 8, 1),
  hmacKey: 'churn-baselines-hmac-key-0123456789',
} as const;

/** A replay sink that keeps only the churn history (scores and outcomes) in `database`, each batch
 * under its own dedup token. */
export function churnHistorySink(
  client: ClickHouseClient,
  database: string,
): (rows: RowsByTable) => Promise<void> {
  let batch = 0;
  return async (rows) => {
    const churnRows = new Map([...rows].filter(([table]) => CHURN_TABLES.includes(table)));
    if (churnRows.size === 0) return;
    const n = String(batch++);
    await writeRows(
      client,
      churnRows,
      { topic: 'replay', partition: 0, firstOffset: n, lastOffset: n },
      { database },
    );
  };
}

export interface MechanismResult {
  name: string;
  description: string;
  messages: number;
  deadLetters: number;
  churners: MechanismChurner[];
  comparison: BaselineComparison;
}

export async function runMechanismWorkload(
  config: PipelineConfig,
  client: ClickHouseClient,
  spec: MechanismWorkloadSpec,
  options: { database: string; seed: number; startMs: number },
): Promise<MechanismResult> {
  const { database } = options;
  await migrate(client, { database });
  const workload = generateMechanismWorkload(spec, options.seed, options.startMs);
  const replay = await replayMessages(config, workload.messages, churnHistorySink(client, database), 5_000);
  const samples = await loadChurnSamples(client, database, { horizonDays: 28, stepDays: 7 });
  return {
    name: spec.name,
    description: spec.description,
    messages: replay.messages,
    deadLetters: replay.deadLetters,
    churners: workload.churners,
    comparison: compareWithBaselines(samples, journeyContextFrom(config).churn),
  };
}
