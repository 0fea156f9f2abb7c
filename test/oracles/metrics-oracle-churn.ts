// Plain-JS oracles of the churn metric queries (score distribution, time to churn).
import type { AccountStateRow } from '../../services/sink/rows/journey-state-rows.ts';
import type { ChurnAlertRow, ChurnOutcomeRow, ChurnScoreRow } from '../../services/sink/rows/churn-rows.ts';
import { HOUR, cutOf, groupBy, mean, round, upperMedian } from './metrics-oracle-support.ts';
import type { Cut, Row } from './metrics-oracle-support.ts';

type States = Map<string, AccountStateRow>;

export function churnScoreDistribution(
  states: States,
  scores: ChurnScoreRow[],
  cut: Cut,
  width: number,
): Row[] {
  const latest = [...groupBy(scores, (s) => s.account_key).values()].map(
    (g) => g.sort((a, b) => Date.parse(b.scored_at) - Date.parse(a.scored_at))[0]!,
  );
  return [
    ...groupBy(
      latest,
      (s) => `${cutOf(cut, states.get(s.account_key))}|${Math.floor(s.score / width) * width}`,
    ),
  ].map(([key, g]) => ({
    cut_value: key.split('|')[0]!,
    bucket_from: Number(key.split('|')[1]),
    accounts: g.length,
    mrr_cents: g.reduce((s, r) => s + r.mrr_cents, 0),
  }));
}

export function timeToChurn(
  states: States,
  alerts: ChurnAlertRow[],
  outcomes: ChurnOutcomeRow[],
  cut: Cut,
  bands: string[],
): Row[] {
  const churned = [...groupBy(outcomes, (o) => o.account_key)].map(([account, g]) => {
    const at = Math.min(...g.map((o) => Date.parse(o.churned_at)));
    const warnings = alerts
      .filter((a) => a.account_key === account && bands.includes(a.band) && Date.parse(a.at) <= at)
      .map((a) => Date.parse(a.at));
    return {
      cut_value: cutOf(cut, states.get(account)),
      hours: warnings.length ? (at - Math.min(...warnings)) / HOUR : null,
    };
  });
  return [...groupBy(churned, (c) => c.cut_value)].map(([cut_value, g]) => {
    const hours = g.flatMap((c) => (c.hours === null ? [] : [c.hours]));
    return {
      cut_value,
      churned: g.length,
      warned_before: hours.length,
      unwarned: g.length - hours.length,
      avg_hours: hours.length ? round(mean(hours), 2) : null,
      p50_hours: hours.length ? round(upperMedian(hours), 2) : null,
    } as Row;
  });
}
