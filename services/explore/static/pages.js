// The explorer's pages: each reads documented metric queries through the API (with the page's
// filters) and returns the nodes to show.
import { chart, el, filters, link, metric, section, table } from './app.js';

async function flow({ map }) {
  const f = filters();
  const [stages, funnel] = await Promise.all([metric('stage_conversion', f), metric('onboarding_funnel', f)]);
  const all = stages.filter((r) => r.cut_value === stages[0]?.cut_value);
  return [
    section(
      'Journey flow',
      `Accounts entering each stage of ${map.name} in the range, converting to the next, and hours to convert (stage_conversion).`,
      chart({
        tooltip: { trigger: 'item' },
        series: [
          {
            type: 'funnel',
            sort: 'none',
            minSize: '8%',
            label: { formatter: '{b}: {c}' },
            data: all.map((r) => ({ name: r.stage, value: r.entered })),
          },
        ],
      }),
      table('stage_conversion', stages, [
        ['cut_value', 'Cut'],
        ['stage', 'Stage'],
        ['entered', 'Entered'],
        ['converted', 'Converted to the next'],
        ['conversion_rate', 'Conversion'],
        ['avg_hours_to_convert', 'Hours to convert'],
      ]),
    ),
    section(
      `Onboarding funnel: ${map.funnel.name}`,
      'Accounts that reached each step (any order), dropped, and the share of the first step (onboarding_funnel).',
      table('onboarding_funnel', funnel, [
        ['cut_value', 'Cut'],
        ['step', 'Step'],
        ['reached', 'Reached'],
        ['dropped', 'Dropped'],
        ['drop_off_rate', 'Drop-off'],
        ['conversion_from_start', 'Of the first step'],
      ]),
    ),
  ];
}

async function dropoffs({ map, args }) {
  const f = filters();
  const [stage] = args;
  if (stage) {
    const next = map.stages[map.stages.indexOf(stage) + 1];
    const rows = await metric('dropped_accounts', { ...f, stage });
    return [
      section(
        `Accounts that entered ${stage} and have not reached ${next}`,
        'The most valuable first (dropped_accounts). Open an account to see its journey.',
        table('dropped_accounts', rows, [
          [
            'account_key',
            'Account',
            (r) => link(`/account/${encodeURIComponent(r.account_key)}`, r.account_key),
          ],
          ['cut_value', 'Cut'],
          ['entered_at', 'Entered'],
          ['current_stage', 'Stage now'],
          ['stalled', 'Stalled'],
          ['mrr_cents', 'MRR (cents)'],
          ['segment', 'Segment'],
          ['plan', 'Plan'],
        ]),
      ),
    ];
  }
  const rows = await metric('highest_impact_dropoffs', f);
  return [
    section(
      'Highest-impact drop-offs',
      'Per stage: accounts that entered it in the range and did not convert, their ARR, and the ARR a fix could win (highest_impact_dropoffs). Open a stage to see its accounts.',
      chart({
        tooltip: {},
        legend: {},
        xAxis: {
          type: 'category',
          data: rows.filter((r) => r.cut_value === rows[0]?.cut_value).map((r) => r.stage),
        },
        yAxis: [
          { type: 'value', name: 'accounts' },
          { type: 'value', name: 'ARR' },
        ],
        series: [
          {
            name: 'dropped',
            type: 'bar',
            data: rows.filter((r) => r.cut_value === rows[0]?.cut_value).map((r) => r.dropped),
          },
          {
            name: 'estimated lift (ARR)',
            type: 'bar',
            yAxisIndex: 1,
            data: rows.filter((r) => r.cut_value === rows[0]?.cut_value).map((r) => r.estimated_lift_arr),
          },
        ],
      }),
      table('highest_impact_dropoffs', rows, [
        ['cut_value', 'Cut'],
        ['stage', 'Stage', (r) => link(`/dropoffs/${encodeURIComponent(r.stage)}`, r.stage)],
        ['entered', 'Entered'],
        ['dropped', 'Dropped'],
        ['drop_off_rate', 'Drop-off'],
        ['dropped_arr', 'Dropped ARR'],
        ['estimated_lift_arr', 'Estimated lift (ARR)'],
        ['rank_by_volume', 'Rank by volume'],
        ['rank_by_arr', 'Rank by ARR'],
      ]),
    ),
  ];
}

async function atRisk() {
  const f = filters();
  const band = new URLSearchParams(location.search).get('band');
  const [rows, distribution] = await Promise.all([
    metric('at_risk_accounts', { ...f, ...(band ? { bands: [band] } : {}) }),
    metric('churn_score_distribution', f),
  ]);
  const first = distribution.filter((r) => r.cut_value === distribution[0]?.cut_value);
  return [
    section(
      'Accounts at risk',
      'Each account’s last churn score in the range, paying accounts first, with its change over a week, MRR, stage and the reasons of the score (at_risk_accounts). Filter: ?band=watch or ?band=at_risk.',
      table('at_risk_accounts', rows, [
        [
          'account_key',
          'Account',
          (r) => link(`/account/${encodeURIComponent(r.account_key)}`, r.account_key),
        ],
        ['score', 'Score'],
        ['band', 'Band'],
        ['score_change_7d', 'Change in 7 days'],
        ['mrr_cents', 'MRR (cents)'],
        ['stage', 'Stage'],
        ['reasons', 'Why'],
      ]),
    ),
    section(
      'Churn score distribution',
      'Accounts by their last score in the range, in buckets of 10 points (churn_score_distribution).',
      chart({
        tooltip: {},
        xAxis: { type: 'category', data: first.map((r) => `${r.bucket_from}–${r.bucket_from + 9}`) },
        yAxis: { type: 'value', name: 'accounts' },
        series: [{ type: 'bar', data: first.map((r) => r.accounts) }],
      }),
    ),
  ];
}

async function account({ args }) {
  const [key] = args;
  if (!key) return [el('p', { text: 'No account named: open one from the at-risk list or a drop-off.' })];
  const f = filters();
  const params = { account_key: key, from: f.from, to: f.to };
  const [timeline, scores, touchpoints] = await Promise.all([
    metric('account_stage_timeline', params),
    metric('churn_score_history', params),
    metric('account_touchpoints', params),
  ]);
  const reasons = (r) => {
    try {
      return JSON.parse(r.reasons)
        .map((x) => x.text)
        .join('; ');
    } catch {
      return '';
    }
  };
  return [
    el('h1', { 'data-account': key, text: `Account ${key}` }),
    section(
      'Stage timeline',
      'Every stage change, with its reason and the hours spent in the stage left (account_stage_timeline).',
      table('account_stage_timeline', timeline, [
        ['at', 'When'],
        ['from_stage', 'From'],
        ['to_stage', 'To'],
        ['reason', 'Reason'],
        ['hours_in_from_stage', 'Hours in the stage left'],
      ]),
    ),
    section(
      'Churn score history',
      'Each score with its band and the reasons that made it (churn_score_history).',
      chart(
        {
          tooltip: { trigger: 'axis' },
          xAxis: { type: 'time' },
          yAxis: { type: 'value', min: 0, max: 100 },
          series: [
            {
              type: 'line',
              step: 'end',
              data: scores.map((r) => [r.scored_at.replace(' ', 'T') + 'Z', r.score]),
            },
          ],
        },
        220,
      ),
      table(
        'churn_score_history',
        scores.map((r) => ({ ...r, reasons: reasons(r) })),
        [
          ['scored_at', 'When'],
          ['score', 'Score'],
          ['band', 'Band'],
          ['reasons', 'Why'],
        ],
      ),
    ),
    section(
      'Tickets, survey answers, invoices and MRR changes',
      "Newest first, with the customer's own words (account_touchpoints).",
      table('account_touchpoints', touchpoints, [
        ['event_time', 'When'],
        ['source', 'Source'],
        ['name', 'What'],
        ['ticket_priority', 'Priority'],
        ['ticket_status', 'Status'],
        ['score', 'Score'],
        ['words', 'Words'],
        ['amount_cents', 'Amount (cents)'],
        ['mrr_cents', 'MRR after (cents)'],
        ['mrr_change_kind', 'Change'],
      ]),
    ),
  ];
}

export const PAGES = { flow, dropoffs, 'at-risk': atRisk, account };
