// Account-side fixture for the metric tests: journey snapshots (with an older version that FINAL
// must hide and a person-level state that stage metrics must skip), the stage transitions behind
// them, churn scores, alerts and outcomes — all built through the sink's row mappers.
import { newAccountState } from '../journey/account-state.ts';
import type { AccountState } from '../journey/account-state.ts';
import type { ChurnBand } from '../churn/churn-bands.ts';
import { healthySignals } from '../churn/churn-signals-fixture.ts';
import { accountStateRow, stageTransitionRow } from './rows/journey-state-rows.ts';
import type { AccountStateRow, StageTransitionRow } from './rows/journey-state-rows.ts';
import { churnAlertRow, churnOutcomeRow, churnScoreRow } from './rows/churn-rows.ts';
import type { ChurnAlertRow, ChurnOutcomeRow, ChurnScoreRow } from './rows/churn-rows.ts';
import { t } from './metrics-fixture.ts';

export interface AccountSketch {
  key: string;
  segment: string;
  plan: string;
  channel: string;
  signup: string | null;
  /** Stages entered, in order, with their entry time; the first is the first-seen time. */
  stages: Array<[string, string]>;
  stalled: boolean;
  mrrCents: number;
  variant: string;
  /** Onboarding funnel steps reached: [step, time]. */
  steps?: Array<[string, string]>;
}

export const ACCOUNTS: AccountSketch[] = [
  {
    key: 'acc_1',
    segment: 'enterprise',
    plan: 'team',
    channel: 'paid_search',
    signup: '2026-01-07 10:00',
    stages: [
      ['acquisition', '2026-01-05 09:00'],
      ['activation', '2026-01-07 10:00'],
      ['engagement', '2026-01-12 09:00'],
      ['expansion', '2026-02-20 00:00'],
    ],
    stalled: false,
    mrrCents: 15000,
    variant: 'treatment',
    steps: [
      ['Signed Up', '2026-01-07 10:00'],
      ['Created Project', '2026-01-07 11:00'],
      ['Created Report', '2026-01-09 09:00'],
    ],
  },
  {
    key: 'acc_2',
    segment: 'smb',
    plan: 'starter',
    channel: 'organic_search',
    signup: '2026-01-08 08:30',
    stages: [
      ['acquisition', '2026-01-06 08:00'],
      ['activation', '2026-01-08 08:30'],
      ['engagement', '2026-01-22 09:00'],
      ['churn-risk', '2026-02-20 00:00'],
      ['churned', '2026-03-10 00:00'],
    ],
    stalled: false,
    mrrCents: 0,
    variant: 'control',
    steps: [
      ['Signed Up', '2026-01-06 10:00'],
      ['Created Project', '2026-01-06 12:00'],
    ],
  },
  {
    key: 'acc_3',
    segment: 'mid-market',
    plan: 'team',
    channel: 'paid_search',
    signup: '2026-01-14 09:00',
    stages: [
      ['acquisition', '2026-01-13 08:00'],
      ['activation', '2026-01-14 09:00'],
      ['engagement', '2026-01-16 10:00'],
    ],
    stalled: true,
    mrrCents: 6000,
    variant: 'treatment',
    steps: [
      ['Signed Up', '2026-01-04 10:00'],
      ['Created Project', '2026-01-05 10:00'],
      ['Created Report', '2026-01-06 10:00'],
    ],
  },
  {
    key: 'acc_4',
    segment: 'smb',
    plan: '',
    channel: 'social',
    signup: null,
    stages: [['acquisition', '2026-02-02 08:00']],
    stalled: true,
    mrrCents: 0,
    variant: 'control',
    steps: [
      ['Signed Up', '2026-01-08 10:00'],
      ['Created Project', '2026-01-08 11:00'],
      ['Created Report', '2026-01-10 09:00'],
    ],
  },
  {
    key: 'acc_5',
    segment: 'enterprise',
    plan: 'enterprise',
    channel: 'referral',
    signup: '2026-02-04 08:00',
    stages: [
      ['acquisition', '2026-02-03 08:00'],
      ['activation', '2026-02-04 08:00'],
    ],
    stalled: true,
    mrrCents: 30000,
    variant: 'treatment',
    steps: [['Signed Up', '2026-01-03 08:00']],
  },
  {
    key: 'acc_6',
    segment: 'mid-market',
    plan: 'team',
    channel: 'email',
    signup: '2026-01-03 08:00',
    stages: [
      ['acquisition', '2026-01-02 08:00'],
      ['activation', '2026-01-03 08:00'],
      ['engagement', '2026-01-05 09:00'],
      ['churn-risk', '2026-03-01 00:00'],
    ],
    stalled: false,
    mrrCents: 12000,
    variant: 'control',
  },
];

export const EXPERIMENT = 'onboarding_v2';
const AS_OF = t('2026-03-20 00:00');

export function sketchState(a: AccountSketch): AccountState {
  const [first, ...rest] = a.stages;
  const state = newAccountState(a.key, 'account', t(first![1]), first![0], 1);
  for (const [stage, at] of rest) state.stageEntries[stage] = t(at);
  const [stage, at] = a.stages[a.stages.length - 1]!;
  return {
    ...state,
    stage,
    stageEnteredAt: t(at),
    stalledStage: a.stalled ? stage : null,
    segment: a.segment,
    plan: a.plan || null,
    mrrCents: a.mrrCents,
    firstTouch: { channel: a.channel, source: '', campaign: '', at: t(first![1]) },
    signupAt: a.signup ? t(a.signup) : null,
    experiments: { [EXPERIMENT]: a.variant },
    funnel: Object.fromEntries((a.steps ?? []).map(([step, at]) => [step, t(at)])),
  };
}

export function accountStateRows(): AccountStateRow[] {
  const rows = ACCOUNTS.map((a) => accountStateRow(sketchState(a), 2, AS_OF));
  // An older snapshot of acc_1 (FINAL must hide it) and a person-level state (stage metrics skip it).
  const old = sketchState({ ...ACCOUNTS[0]!, segment: 'smb', stages: ACCOUNTS[0]!.stages.slice(0, 2) });
  rows.push(accountStateRow(old, 1, AS_OF));
  rows.push(
    accountStateRow(newAccountState('p_9', 'person', t('2026-01-01 00:00'), 'acquisition', 1), 1, AS_OF),
  );
  return rows;
}

export function stageTransitionRows(): StageTransitionRow[] {
  return ACCOUNTS.flatMap((a) =>
    a.stages.slice(1).map(([to, at], i) =>
      stageTransitionRow(
        {
          kind: 'transition',
          id: `${a.key}:${i}`,
          account_key: a.key,
          from_stage: a.stages[i]![0],
          to_stage: to,
          at: t(at),
          reason: 'conversion',
          map_version: 1,
        },
        sketchState(a),
      ),
    ),
  );
}

const score = (account: string, at: string, value: number, band: ChurnBand, mrr: number): ChurnScoreRow =>
  churnScoreRow({
    score: { account, score: value, band, reasons: [], scoredAt: t(at), mrr, mrrAtRisk: (mrr * value) / 100 },
    signals: healthySignals({ account, asOf: t(at), mrr }),
  });

export const churnScoreRows = (): ChurnScoreRow[] => [
  score('acc_1', '2026-02-01 00:00', 5, 'healthy', 100),
  score('acc_2', '2026-02-10 00:00', 35, 'watch', 50),
  score('acc_2', '2026-02-20 00:00', 72, 'at_risk', 50),
  score('acc_3', '2026-02-01 00:00', 48, 'watch', 80),
  score('acc_5', '2026-02-10 00:00', 12.5, 'healthy', 300),
  score('acc_6', '2026-02-01 00:00', 20, 'healthy', 120),
  score('acc_6', '2026-03-01 00:00', 55, 'watch', 120),
];

const alert = (account: string, at: string, band: 'watch' | 'at_risk', first: string): ChurnAlertRow =>
  churnAlertRow({
    alertId: `${account}:${at}`,
    account,
    score: 50,
    band,
    previousBand: 'healthy',
    reasons: [],
    mrr: 100,
    at: t(at),
    firstWarningAt: t(first),
  });

export const churnAlertRows = (): ChurnAlertRow[] => [
  alert('acc_2', '2026-02-10 00:00', 'watch', '2026-02-10 00:00'),
  alert('acc_2', '2026-02-20 00:00', 'at_risk', '2026-02-10 00:00'),
  alert('acc_3', '2026-02-01 00:00', 'watch', '2026-02-01 00:00'),
  alert('acc_6', '2026-03-01 00:00', 'watch', '2026-03-01 00:00'),
];

export const churnOutcomeRows = (): ChurnOutcomeRow[] => [
  churnOutcomeRow(
    {
      account: 'acc_2',
      churnedAt: t('2026-03-10 00:00'),
      warned: true,
      firstWarningAt: t('2026-02-10 00:00'),
      leadTimeMs: 28 * 86_400_000,
      leadTimeDays: 28,
      bandAtChurn: 'at_risk',
      scoreAtChurn: 72,
      reason: 'Too expensive for our team',
      reasonCode: null,
    },
    5000,
  ),
  churnOutcomeRow(
    {
      account: 'acc_4',
      churnedAt: t('2026-03-15 00:00'),
      warned: false,
      firstWarningAt: null,
      leadTimeMs: null,
      leadTimeDays: null,
      bandAtChurn: 'healthy',
      scoreAtChurn: null,
      reason: null,
      reasonCode: null,
    },
    0,
  ),
];
