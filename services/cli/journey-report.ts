// The demo's closing report: the journey as readable terminal tables, from the documented,
// parameterised metric queries (services/sink/queries) plus a few direct reads, then the SQL to
// look further.
import type { PipelineConfig } from '../shared/config/config.ts';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import { metricQueries, runMetricQuery } from '../sink/metric-queries.ts';
import { mapParamsFor } from '../sink/map-metric-params.ts';
import { loadJourneyMap } from '../journey/journey-map.ts';
import { funnelStepName } from '../journey/settle-markers.ts';
import { formatTable } from './terminal-table.ts';

type Row = Record<string, unknown>;

export async function printJourneyReport(
  config: PipelineConfig,
  out: (line: string) => unknown,
): Promise<void> {
  const client = createClickHouse(config);
  const database = config.CLICKHOUSE_DATABASE;
  const map = loadJourneyMap(config.JOURNEY_MAP_FILE);
  // Every metric query gets the map's stages, activation rule and funnel (map-metric-params.ts).
  const metric = (name: string, params: Record<string, string | number | string[]> = {}): Promise<Row[]> =>
    runMetricQuery<Row>(
      client,
      name,
      { ...mapParamsFor(metricQueries().get(name)!, map), ...params },
      { database },
    );
  const read = async (query: string, params: Record<string, unknown> = {}): Promise<Row[]> =>
    (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<Row>();
  try {
    out(
      formatTable(
        'Stage funnel: accounts entering each stage, converting to the next, hours to convert',
        await metric('stage_conversion'),
      ),
    );
    out(formatTable('Time in stage (closed and open stints)', await metric('time_in_stage')));
    const [accounts] = await read(
      `SELECT count() AS accounts, countIf(stage = 'churn-risk') AS at_risk_stage, countIf(stage = 'churned') AS churned,
              countIf(stalled = 1) AS stalled, round(sum(mrr_cents) / 100) AS mrr
       FROM account_state FINAL WHERE kind = 'account' AND deleted = 0`,
    );
    out(formatTable('Accounts now', accounts ? [accounts] : []));
    out(
      formatTable(
        `Activation by sign-up cohort (${map.activation.event} on ${map.activation.times} ${map.activation.distinct_days ? 'separate days' : 'times'} within ${map.activation.within_days} days)`,
        await metric('activation_by_cohort'),
      ),
    );
    out(
      formatTable(
        'Highest-impact drop-offs (by estimated ARR lift; volume and ARR)',
        await metric('highest_impact_dropoffs'),
      ),
    );
    const atRisk = await read(
      `SELECT account_key, round(score, 1) AS score, band, round(mrr_cents / 100) AS mrr,
              arrayStringConcat(arrayMap(r -> JSONExtractString(r, 'text'), JSONExtractArrayRaw(reasons)), '; ') AS reasons
       FROM churn_scores_latest WHERE band != 'healthy' ORDER BY mrr_cents > 0 DESC, score DESC, mrr DESC LIMIT {limit:UInt32}`,
      { limit: 10 },
    );
    out(formatTable('Accounts at risk, with their reasons (paying accounts first)', atRisk));
    const experiments = await read(
      'SELECT DISTINCT arrayJoin(mapKeys(experiments)) AS id FROM account_state FINAL WHERE deleted = 0 ORDER BY id',
    );
    // An experiment is read per funnel step (each step's own conversion, the population that
    // reached the step before it), where a lift planted on one step stands out from the noise of
    // the whole funnel, and then over the whole funnel.
    const steps = map.funnel.steps.map(funnelStepName);
    for (const { id } of experiments) {
      const rows: Row[] = [];
      for (let i = 1; i < steps.length; i++)
        for (const row of await metric('experiment_conversion', {
          experiment: String(id),
          from_step: steps[i - 1]!,
          target_step: steps[i]!,
        }))
          rows.push({ step: `${steps[i - 1]} -> ${steps[i]}`, ...row });
      for (const row of await metric('experiment_conversion', {
        experiment: String(id),
        target_step: steps[steps.length - 1]!,
      }))
        rows.push({ step: `exposed -> ${steps[steps.length - 1]}`, ...row });
      out(
        formatTable(
          `Experiment ${String(id)}: ${map.funnel.name} funnel by variant, each step's conversion, lift and two-proportion z-test`,
          rows,
        ),
      );
    }
    out(
      formatTable(
        'Dead-letter summary',
        await read(
          'SELECT reason, step, count() AS messages FROM dlq_events GROUP BY reason, step ORDER BY messages DESC',
        ),
      ),
    );
    out(
      [
        '\nLook further (ClickHouse SQL; the metric queries live in services/sink/queries/*.sql, documented in docs/metrics.md):',
        `  SELECT to_stage, count() FROM ${database}.stage_transitions GROUP BY to_stage;`,
        `  SELECT account_key, stage, churn_score, churn_band FROM ${database}.account_state_latest WHERE kind = 'account' ORDER BY churn_score DESC LIMIT 20;`,
        `  SELECT resolved_person_id, count() FROM ${database}.journey_events_resolved GROUP BY resolved_person_id ORDER BY 2 DESC LIMIT 10;`,
        `  SELECT * FROM ${database}.churn_alerts ORDER BY at DESC LIMIT 10;`,
        `  curl 'http://127.0.0.1:18123/?database=${database}' --data-binary 'SELECT count() FROM journey_events'`,
      ].join('\n'),
    );
  } finally {
    await client.close();
  }
}
