// The customer-journey dashboard for one journey map: its stages, onboarding funnel, sign-up and
// activation rule are the map's (services/sink/map-metric-params.ts), so a b2c deployment sees its
// own funnel, not the b2b one. Every panel is a documented metric query (or SQL of its own, for
// the two time series) and honours the dashboard's time range; the at-risk list opens the
// per-account rows at the bottom (variable `account`).
import type { JourneyMap } from '../../services/journey/journey-map.ts';
import { metricParamsForMap } from '../../services/sink/map-metric-params.ts';
import { CUTS } from '../../services/sink/metric-queries.ts';
import { CLICKHOUSE, dashboard, datasourceVariable, metricPanel, row, sqlPanel } from './grafana-model.ts';
import type { Panel, PanelLook } from './grafana-model.ts';

/** Query parameters the dashboard's variables fill (every other one is the map's or its default). */
export const PARAM_VARIABLES = {
  cut: 'cut',
  account_key: 'account',
  experiment: 'experiment',
  target_step: 'step',
  stage: 'stage',
};

export const journeyDashboardUid = (map: JourneyMap): string => `journey-${map.name}`;

/** A variable choosing one of `values`, `current` selected. */
const customVariable = (name: string, label: string, values: readonly string[], current: string) => ({
  name,
  label,
  type: 'custom',
  query: values.join(','),
  current: { text: current, value: current },
  options: values.map((v) => ({ text: v, value: v, selected: v === current })),
  hide: 0,
});
const cutVariable = customVariable('cut', 'Cut by', CUTS, 'all');
/** A constant (an identifier in the SQL, so not a viewer's choice: a URL cannot change it). */
const databaseVariable = {
  name: 'database',
  label: 'ClickHouse database',
  type: 'constant',
  query: 'journey',
  current: { text: 'journey', value: 'journey' },
  hide: 2,
};
/** The funnel step an experiment is judged on (docs/metrics.md, experiment_conversion): the last by default. */
const stepVariable = (steps: string[]) =>
  customVariable('step', 'Experiment judged on', steps, steps[steps.length - 1]!);
const queryVariable = (name: string, label: string, query: string): Record<string, unknown> => ({
  name,
  label,
  type: 'query',
  datasource: CLICKHOUSE,
  query,
  definition: query,
  refresh: 2,
  sort: 0,
  current: {},
  hide: 0,
});
/** Accounts to drill into: the riskiest first, then every other scored account. */
export const ACCOUNT_VARIABLE_SQL =
  'SELECT account_key FROM ${database}.churn_scores_latest ORDER BY score DESC, account_key LIMIT 1000';
export const EXPERIMENT_VARIABLE_SQL =
  'SELECT DISTINCT arrayJoin(mapKeys(experiments)) AS experiment FROM ${database}.account_state_latest ORDER BY experiment';

const table = (w = 12, h = 9): PanelLook => ({ type: 'table', w, h });
const bars = (xField: string, extra: Record<string, unknown> = {}): PanelLook => ({
  type: 'barchart',
  options: { xField, legend: { showLegend: true, displayMode: 'list', placement: 'bottom' }, ...extra },
});
const funnel = (valueField: string, nameField: string, unit = 'short'): PanelLook => ({
  type: 'bargauge',
  options: {
    orientation: 'horizontal',
    displayMode: 'gradient',
    showUnfilled: true,
    reduceOptions: { values: true, calcs: [], fields: `/^${valueField}$/` },
  },
  fieldConfig: {
    defaults: { unit, displayName: `\${__data.fields.${nameField}} (\${__data.fields.cut_value})` },
    overrides: [],
  },
});
const stat = (fields: string, unit: string): PanelLook => ({
  type: 'stat',
  w: 6,
  h: 6,
  options: { reduceOptions: { values: true, calcs: [], fields }, textMode: 'value_and_name' },
  fieldConfig: {
    defaults: { unit, displayName: '${__field.name} (${__data.fields.cut_value})' },
    overrides: [],
  },
});
/** Cohort retention as a heatmap: weeks since sign-up across, cohorts down, cells coloured by rate. */
const retentionHeatmap: PanelLook = {
  type: 'table',
  w: 24,
  h: 10,
  transformations: [
    {
      id: 'groupingToMatrix',
      options: { rowField: 'cohort_week', columnField: 'week_number', valueField: 'retention_rate' },
    },
  ],
  fieldConfig: {
    defaults: {
      unit: 'percentunit',
      decimals: 0,
      custom: { cellOptions: { type: 'color-background', mode: 'gradient' } },
      color: { mode: 'continuous-RdYlGr' },
      min: 0,
      max: 1,
    },
    overrides: [],
  },
};

export function journeyDashboard(map: JourneyMap): object {
  const uid = journeyDashboardUid(map);
  const values = metricParamsForMap(map);
  const steps = values.steps as string[];
  const m = (
    name: string,
    title: string,
    look: PanelLook = table(),
    own: Record<string, string> = {},
  ): Panel => metricPanel(name, title, look, { ...values, ...own }, PARAM_VARIABLES);
  const accountLink = {
    title: 'Open the account',
    url: `/d/${uid}?var-account=\${__value.raw}&\${__url_time_range}&\${datasource:queryparam}&\${database:queryparam}`,
  };
  const atRisk = m('at_risk_accounts', 'Accounts at risk: score, trend, MRR, stage and reasons', {
    type: 'table',
    w: 24,
    h: 10,
    fieldConfig: {
      defaults: {},
      overrides: [
        {
          matcher: { id: 'byName', options: 'account_key' },
          properties: [{ id: 'links', value: [accountLink] }],
        },
        {
          matcher: { id: 'byName', options: 'score' },
          properties: [
            { id: 'custom.cellOptions', value: { type: 'gauge', mode: 'gradient' } },
            { id: 'min', value: 0 },
            { id: 'max', value: 100 },
          ],
        },
      ],
    },
  });
  const panels: Panel[] = [
    row('Journey flow'),
    m('stage_conversion', 'Stage funnel: accounts entering each stage', funnel('entered', 'stage')),
    m('stage_conversion', 'Stage conversion and hours to convert'),
    m(
      'onboarding_funnel',
      `Onboarding funnel (${map.funnel.name}): reached each step`,
      funnel('reached', 'step'),
    ),
    m('time_in_stage', 'Time in stage (hours, stints ended in range)', bars('stage')),
    m('stage_transition_counts', 'Stage transitions'),
    m('stalled_accounts', 'Stalled accounts per stage (entered their stage in range)'),
    m('highest_impact_dropoffs', 'Highest-impact drop-offs (volume and ARR)', table(24)),
    m('dropped_accounts', 'Accounts that entered ${stage} and have not reached the next stage', table(24)),
    row('Acquisition and activation'),
    m('acquisition_conversion', 'Acquisition: touch to sign-up by channel'),
    m(
      'activation_by_cohort',
      `Activation by sign-up cohort (${map.activation.event} × ${map.activation.times})`,
      bars('cohort_week'),
    ),
    m('time_to_qualified', 'Time to qualified (hours)', stat('/^(avg|p50)_hours$/', 'h')),
    m(
      'time_to_first_value',
      `Time to first value: ${steps[steps.length - 1]} (hours)`,
      stat('/^(avg|p50)_hours$/', 'h'),
    ),
    m('experiment_conversion', `Experiment \${experiment}: reached \${step} per variant, lift and z-test`),
    m('experiments', 'Experiments and their variants', table(12, 6)),
    row('Retention and revenue'),
    m('retention_by_cohort', 'Cohort retention (weeks since sign-up; cut: all)', retentionHeatmap),
    m('active_accounts_daily', 'Daily active accounts', { type: 'timeseries' }),
    m('weekly_active', 'Weekly active users and accounts', { type: 'timeseries' }),
    sqlPanel(
      'MRR at each day’s end',
      "The sum of every account's MRR at the end of each day, from account_mrr_changes (each subscription's own series; docs/clickhouse.md).",
      [
        'SELECT time, mrr_cents / 100 AS mrr',
        'FROM',
        '(',
        '    SELECT toStartOfDay(at) AS time, sum(sum(mrr_after_cents - mrr_before_cents)) OVER (ORDER BY time) AS mrr_cents',
        '    FROM ${database}.account_mrr_changes',
        '    WHERE at < $__toTime_ms',
        '    GROUP BY time',
        ')',
        'WHERE time >= toStartOfDay($__fromTime)',
        'ORDER BY time',
      ].join('\n'),
      { fieldConfig: { defaults: { unit: 'short' }, overrides: [] } },
    ),
    m('expansion_mrr', 'MRR movements per month', bars('month', { stacking: 'normal' })),
    m('nrr_by_cohort', 'Net revenue retention (range start to end)'),
    row('Churn risk'),
    atRisk,
    m('churn_score_distribution', 'Churn score distribution (last score in range)', bars('bucket_from')),
    sqlPanel(
      'Churn alerts per day',
      'Threshold crossings (hysteresis and cool-down applied) per day and band entered, from churn_alerts.',
      [
        'SELECT toStartOfDay(at) AS time, band, count() AS alerts',
        'FROM ${database}.churn_alerts FINAL',
        'WHERE $__timeFilter(at)',
        'GROUP BY time, band',
        'ORDER BY time, band',
      ].join('\n'),
    ),
    m(
      'time_to_churn',
      'Time from the first warning to churn (hours)',
      stat('/^(churned|unwarned|p50_hours)$/', 'none'),
    ),
    m('churn_reasons', "Churn reasons in the customer's words", table(18)),
    m('voice_by_stage', 'NPS and CSAT per stage'),
    m('tickets_by_stage', 'Tickets per stage'),
  ];
  if (map.features)
    panels.push(
      m('feature_adoption', `Feature adoption (${map.features.event})`, bars('feature')),
      m('cross_feature_adoption', 'Cross-feature adoption'),
    );
  panels.push(
    row('Account ${account}'),
    m('account_stage_timeline', 'Stage timeline', table(12, 8)),
    m('churn_score_history', 'Churn score history with reasons', table(12, 8)),
    m('account_people', 'People and their activity', table(24, 8)),
    m('account_touchpoints', 'Tickets, survey answers, invoices and MRR changes', table(24, 10)),
  );
  return dashboard(
    uid,
    `Customer journey (${map.name})`,
    `Journey map ${map.name} v${map.version}: stage funnel, onboarding funnel, activation, retention, revenue, drop-offs and churn risk from ClickHouse (docs/metrics.md), each panel a documented metric query with the map's stages and rules, over the dashboard's time range. Pick a cut to split by segment, plan, channel or cohort; open an at-risk account to see its journey.`,
    panels,
    [
      datasourceVariable('clickhouse'),
      databaseVariable,
      cutVariable,
      queryVariable('account', 'Account', ACCOUNT_VARIABLE_SQL),
      queryVariable('experiment', 'Experiment', EXPERIMENT_VARIABLE_SQL),
      stepVariable(steps),
      customVariable(
        'stage',
        'Drop-off at',
        (values.stages as string[]).slice(0, -1),
        (values.stages as string[])[1]!,
      ),
    ],
    { from: 'now-90d', to: 'now' },
  );
}
