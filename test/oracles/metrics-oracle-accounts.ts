// Plain-JS oracles of the stage and experiment metric queries (account snapshots and
// transitions).
import type { AccountStateRow, StageTransitionRow } from '../../services/sink/rows/journey-state-rows.ts';
import { HOUR, cutOf, groupBy, mean, round, upperMedian } from './metrics-oracle-support.ts';
import type { Cut, Row } from './metrics-oracle-support.ts';

type States = Map<string, AccountStateRow>;
const accounts = (states: States): AccountStateRow[] =>
  [...states.values()].filter((s) => s.kind === 'account');
const entered = (s: AccountStateRow, stage: string): boolean => stage in s.stage_entries;
const rank = (value: number, all: number[]): number => 1 + all.filter((v) => v > value).length;

export function stageConversion(states: States, cut: Cut, stages: string[]): Row[] {
  const rows: Row[] = [];
  for (const [cut_value, group] of groupBy(accounts(states), (s) => cutOf(cut, s)))
    stages.slice(0, -1).forEach((stage, i) => {
      const next = stages[i + 1]!;
      const inStage = group.filter((s) => entered(s, stage));
      const converted = inStage.filter((s) => entered(s, next));
      if (inStage.length === 0) return;
      const hours = converted.map(
        (s) => (Date.parse(s.stage_entries[next]!) - Date.parse(s.stage_entries[stage]!)) / HOUR,
      );
      rows.push({
        stage_index: i + 1,
        stage,
        cut_value,
        entered: inStage.length,
        converted: converted.length,
        conversion_rate: round(converted.length / inStage.length, 4),
        avg_hours_to_convert: hours.length ? round(mean(hours), 2) : null,
      } as Row);
    });
  return rows;
}

export function timeInStage(states: States, transitions: StageTransitionRow[], cut: Cut): Row[] {
  const stints: Array<{ stage: string; account: string; cut_value: string; hours: number }> = [];
  for (const [account, list] of groupBy(transitions, (r) => r.account_key)) {
    list.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : 1));
    const state = states.get(account);
    list.forEach((r, i) => {
      const start = i === 0 ? Date.parse(state!.first_seen_at) : Date.parse(list[i - 1]!.at);
      stints.push({
        stage: r.from_stage,
        account,
        cut_value: cutOf(cut, state),
        hours: (Date.parse(r.at) - start) / HOUR,
      });
    });
  }
  return [...groupBy(stints, (s) => `${s.stage}|${s.cut_value}`).values()].map((g) => ({
    stage: g[0]!.stage,
    cut_value: g[0]!.cut_value,
    stints: g.length,
    accounts: new Set(g.map((s) => s.account)).size,
    avg_hours: round(mean(g.map((s) => s.hours)), 2),
    p50_hours: round(upperMedian(g.map((s) => s.hours)), 2),
  }));
}

export function stageTransitionCounts(transitions: StageTransitionRow[], cut: Cut): Row[] {
  const cutValue = (r: StageTransitionRow): string =>
    cut === 'segment'
      ? r.segment
      : cut === 'plan'
        ? r.plan
        : cut === 'channel'
          ? r.channel
          : cut === 'cohort'
            ? r.cohort_week
            : 'all';
  return [
    ...groupBy(transitions, (r) => `${r.from_stage}|${r.to_stage}|${r.map_version}|${cutValue(r)}`).values(),
  ].map((g) => ({
    from_stage: g[0]!.from_stage,
    to_stage: g[0]!.to_stage,
    map_version: g[0]!.map_version,
    cut_value: cutValue(g[0]!),
    transitions: g.length,
    accounts: new Set(g.map((r) => r.account_key)).size,
  }));
}

export function stalledAccounts(states: States, cut: Cut): Row[] {
  return [...groupBy(accounts(states), (s) => `${s.stage}|${cutOf(cut, s)}`).values()].map((g) => {
    const stalled = g.filter((s) => s.stalled === 1);
    return {
      stage: g[0]!.stage,
      cut_value: cutOf(cut, g[0]),
      accounts_in_stage: g.length,
      stalled_accounts: stalled.length,
      stalled_share: round(stalled.length / g.length, 4),
      stalled_mrr_cents: stalled.reduce((s, a) => s + a.mrr_cents, 0),
    };
  });
}

export function highestImpactDropoffs(
  states: States,
  cut: Cut,
  stages: string[],
  fixProbability: number,
): Row[] {
  const rows: Row[] = [];
  for (const [cut_value, group] of groupBy(accounts(states), (s) => cutOf(cut, s))) {
    const perStage = stages.slice(0, -1).flatMap((stage, i) => {
      const next = stages[i + 1]!;
      const inStage = group.filter((s) => entered(s, stage));
      if (inStage.length === 0) return [];
      const dropped = inStage.filter((s) => !entered(s, next));
      const downstream = round(
        mean(group.filter((s) => entered(s, next)).map((s) => (s.mrr_cents * 12) / 100)),
        2,
      );
      return [
        {
          stage,
          cut_value,
          entered: inStage.length,
          dropped: dropped.length,
          drop_off_rate: round(dropped.length / inStage.length, 4),
          dropped_arr: round(
            dropped.reduce((s, a) => s + (a.mrr_cents * 12) / 100, 0),
            2,
          ),
          downstream_arr_per_account: downstream,
          estimated_lift_arr: round(dropped.length * downstream * fixProbability, 2),
        },
      ];
    });
    for (const r of perStage)
      rows.push({
        ...r,
        rank_by_volume: rank(
          r.dropped,
          perStage.map((x) => x.dropped),
        ),
        rank_by_arr: rank(
          r.dropped_arr,
          perStage.map((x) => x.dropped_arr),
        ),
      });
  }
  return rows;
}

/** Complementary error function (Numerical Recipes erfcc, |error| < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + z / 2);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export function experimentConversion(
  states: States,
  cut: Cut,
  experiment: string,
  control: string,
  target: string,
  steps: { from?: string; target?: string } = {},
): Row[] {
  const rows: Row[] = [];
  const assigned = [...states.values()].filter(
    (s) => experiment in s.experiments && (steps.from === undefined || steps.from in s.funnel_steps),
  );
  const converted = (s: AccountStateRow): boolean =>
    steps.target === undefined ? entered(s, target) : steps.target in s.funnel_steps;
  for (const [cut_value, group] of groupBy(assigned, (s) => cutOf(cut, s))) {
    const stats = [...groupBy(group, (s) => s.experiments[experiment]!)].map(([variant, g]) => ({
      variant,
      n: g.length,
      conversions: g.filter(converted).length,
    }));
    const c = stats.find((s) => s.variant === control) ?? { n: 0, conversions: 0 }; // no control in this cut: NaN -> null
    for (const s of stats) {
      const rate = s.conversions / s.n;
      const controlRate = c.conversions / c.n;
      const pooled = (s.conversions + c.conversions) / (s.n + c.n);
      const z = round((rate - controlRate) / Math.sqrt(pooled * (1 - pooled) * (1 / s.n + 1 / c.n)), 4);
      rows.push({
        variant: s.variant,
        cut_value,
        n: s.n,
        conversions: s.conversions,
        conversion_rate: round(rate, 4),
        lift: round(rate / controlRate - 1, 4),
        z,
        p_value: round(erfc(Math.abs(z) / Math.SQRT2), 4),
      });
    }
  }
  return rows;
}
