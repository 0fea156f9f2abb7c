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

/** All, watch or at risk: links that keep the other filters. */
function bandLinks() {
  const choices = [
    ['all', null],
    ['watch', 'watch'],
    ['at risk', 'at_risk'],
  ];
  return el(
    'p',
    {},
    'Band: ',
    ...choices.map(([label, value]) => {
      const q = new URLSearchParams(location.search);
      if (value) q.set('band', value);
      else q.delete('band');
      return el('a', {
        href: `/at-risk?${q}`,
        'data-band': value ?? 'all',
        text: label,
        style: 'margin-right:12px',
      });
    }),
  );
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
      'Each account’s last churn score in the range, paying accounts first, with its change over a week, MRR, stage and the reasons of the score (at_risk_accounts).',
      bandLinks(),
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
  const [timeline, scores, people, touchpoints] = await Promise.all([
    metric('account_stage_timeline', params),
    metric('churn_score_history', params),
    metric('account_people', params),
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
      'People and their activity',
      'Everyone active on the account in the range, most recent first (account_people).',
      table('account_people', people, [
        ['person_id', 'Person'],
        ['user_id', 'User id'],
        ['events', 'Events'],
        ['active_days', 'Active days'],
        ['first_active', 'First active'],
        ['last_active', 'Last active'],
        ['top_events', 'Does most'],
      ]),
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

async function activation({ map }) {
  const f = filters();
  const [cohorts, retention] = await Promise.all([
    metric('activation_by_cohort', f),
    metric('retention_by_cohort', { ...f, cut: 'all' }),
  ]);
  const first = cohorts.filter((r) => r.cut_value === cohorts[0]?.cut_value);
  const weeks = [...new Set(retention.map((r) => r.week_number))].sort((a, b) => a - b);
  const weekOf = [...new Set(retention.map((r) => r.cohort_week))].sort();
  const a = map.activation;
  return [
    section(
      'Activation by sign-up cohort',
      `Accounts that signed up in the range, by week, and the share activated (${a.event} on ${a.times} ${a.distinct_days ? 'separate days' : 'times'} within ${a.within_days} days) within 7 and 14 days (activation_by_cohort).`,
      chart({
        tooltip: { trigger: 'axis' },
        legend: {},
        xAxis: { type: 'category', data: first.map((r) => r.cohort_week) },
        yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v) => `${Math.round(v * 100)} %` } },
        series: [
          { name: 'within 7 days', type: 'bar', data: first.map((r) => r.rate_7d) },
          { name: 'within 14 days', type: 'bar', data: first.map((r) => r.rate_14d) },
        ],
      }),
      table('activation_by_cohort', cohorts, [
        ['cut_value', 'Cut'],
        ['cohort_week', 'Cohort week'],
        ['signed_up', 'Signed up'],
        ['activated_7d', 'Activated in 7 days'],
        ['activated_14d', 'In 14 days'],
        ['activated_ever', 'Ever'],
        ['rate_7d', 'Rate (7 d)'],
        ['rate_14d', 'Rate (14 d)'],
      ]),
    ),
    section(
      'Cohort retention',
      'Share of each sign-up week active in each week after it (week 0 = the sign-up week; retention_by_cohort).',
      chart(
        {
          tooltip: {
            formatter: (p) =>
              `${p.value[1] !== undefined ? weekOf[p.value[1]] : ''}, week ${weeks[p.value[0]]}: ${Math.round(p.value[2] * 100)} %`,
          },
          grid: { left: 110 },
          xAxis: { type: 'category', name: 'weeks since sign-up', data: weeks.map(String) },
          yAxis: { type: 'category', data: weekOf, inverse: true },
          visualMap: { min: 0, max: 1, calculable: true, orient: 'horizontal', left: 'center', bottom: 0 },
          series: [
            {
              type: 'heatmap',
              label: { show: true, formatter: (p) => `${Math.round(p.value[2] * 100)}` },
              data: retention.map((r) => [
                weeks.indexOf(r.week_number),
                weekOf.indexOf(r.cohort_week),
                r.retention_rate,
              ]),
            },
          ],
        },
        Math.max(240, 40 + weekOf.length * 28),
      ),
      table('retention_by_cohort', retention, [
        ['cohort_week', 'Cohort week'],
        ['week_number', 'Week'],
        ['cohort_size', 'Cohort'],
        ['retained', 'Active'],
        ['retention_rate', 'Retention'],
      ]),
    ),
  ];
}

async function experiments({ map }) {
  const f = filters();
  const list = await metric('experiments', { ...f, cut: 'all' });
  const ids = [...new Set(list.map((r) => r.experiment))];
  if (ids.length === 0)
    return [section('Experiments', null, el('p', { class: 'empty', text: 'No experiment in this range.' }))];
  const steps = map.funnel.steps;
  const out = [];
  for (const experiment of ids) {
    const rows = [];
    for (let i = 1; i < steps.length; i++)
      for (const r of await metric('experiment_conversion', {
        ...f,
        experiment,
        from_step: steps[i - 1],
        target_step: steps[i],
      }))
        rows.push({ step: `${steps[i - 1]} → ${steps[i]}`, ...r });
    for (const r of await metric('experiment_conversion', {
      ...f,
      experiment,
      target_step: steps[steps.length - 1],
    }))
      rows.push({ step: `exposed → ${steps[steps.length - 1]}`, ...r });
    out.push(
      section(
        `Experiment ${experiment}`,
        `Each step of the ${map.funnel.name} funnel per variant: conversion, lift against the control and the two-proportion z-test (experiment_conversion). A lift planted on one step shows on that step.`,
        table(
          'experiment_conversion',
          rows.map((r) => ({ ...r, experiment })),
          [
            ['step', 'Step'],
            ['cut_value', 'Cut'],
            ['variant', 'Variant'],
            ['n', 'Accounts'],
            ['conversions', 'Converted'],
            ['conversion_rate', 'Rate'],
            ['lift', 'Lift'],
            ['z', 'z'],
            ['p_value', 'p'],
          ],
        ),
      ),
    );
  }
  return out;
}

export const PAGES = { flow, dropoffs, activation, experiments, 'at-risk': atRisk, account };
