// Plain-JS oracles of the revenue, voice and support metric queries.
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { AccountStateRow, StageTransitionRow } from './rows/journey-state-rows.ts';
import { cutOf, groupBy, mean, round } from './metrics-oracle-support.ts';
import type { Cut, Row } from './metrics-oracle-support.ts';
import { featuresByAccount } from './metrics-oracle-engagement.ts';

type States = Map<string, AccountStateRow>;
const month = (t: number): string => new Date(t).toISOString().slice(0, 8) + '01';
const chTime = (t: number): string => new Date(t).toISOString().replace('T', ' ').replace('Z', '');

export function nrrByCohort(
  events: JourneyEvent[],
  states: States,
  cut: Cut,
  start: number,
  end: number,
): Row[] {
  const per: Array<{ cohort: string; cut_value: string; start: number; end: number }> = [];
  const billing = events.filter((e) => e.account_id && e.mrr_cents !== null);
  for (const [account, evs] of groupBy(billing, (e) => e.account_id!)) {
    evs.sort((a, b) => a.event_time - b.event_time);
    const at = (t: number): number => evs.filter((e) => e.event_time <= t).pop()?.mrr_cents ?? 0;
    const firstPaid = evs.find((e) => e.mrr_cents! > 0);
    if (at(start) <= 0 || !firstPaid) continue;
    per.push({
      cohort: month(firstPaid.event_time),
      cut_value: cutOf(cut, states.get(account)),
      start: at(start),
      end: at(end),
    });
  }
  return [...groupBy(per, (p) => `${p.cohort}|${p.cut_value}`).values()].map((g) => {
    const s = g.reduce((sum, p) => sum + p.start, 0);
    const e = g.reduce((sum, p) => sum + p.end, 0);
    return {
      cohort_month: g[0]!.cohort,
      cut_value: g[0]!.cut_value,
      accounts: g.length,
      start_mrr_cents: s,
      end_mrr_cents: e,
      nrr: round(e / s, 4),
    };
  });
}

export function expansionMrr(events: JourneyEvent[], states: States, cut: Cut): Row[] {
  const moves = events.filter((e) => e.account_id && e.mrr_delta_cents !== null);
  return [...groupBy(moves, (e) => `${month(e.event_time)}|${cutOf(cut, states.get(e.account_id!))}`)].map(
    ([key, g]) => {
      const sum = (kind: string): number =>
        g.filter((e) => e.mrr_change_kind === kind).reduce((s, e) => s + e.mrr_delta_cents!, 0);
      return {
        month: key.split('|')[0]!,
        cut_value: key.split('|')[1]!,
        new_mrr_cents: sum('new'),
        expansion_mrr_cents: sum('expansion'),
        contraction_mrr_cents: sum('contraction'),
        churned_mrr_cents: sum('churn'),
        reactivation_mrr_cents: sum('reactivation'),
        net_mrr_change_cents: g.reduce((s, e) => s + e.mrr_delta_cents!, 0),
        expanding_accounts: new Set(
          g.filter((e) => e.mrr_change_kind === 'expansion').map((e) => e.account_id),
        ).size,
      };
    },
  );
}

export function crossFeatureAdoption(
  events: JourneyEvent[],
  states: States,
  cut: Cut,
  featureEvent: string,
): Row[] {
  const rows: Row[] = [];
  const byAccount = [...featuresByAccount(events, featureEvent)];
  for (const [cut_value, accounts] of groupBy(byAccount, ([a]) => cutOf(cut, states.get(a)))) {
    const all = [...new Set(accounts.flatMap(([, fs]) => [...fs]))];
    for (const a of all)
      for (const b of all) {
        if (a === b) continue;
        const withA = accounts.filter(([, fs]) => fs.has(a)).length;
        const both = accounts.filter(([, fs]) => fs.has(a) && fs.has(b)).length;
        if (both > 0)
          rows.push({
            cut_value,
            feature_a: a,
            feature_b: b,
            accounts_both: both,
            accounts_a: withA,
            share_of_a_using_b: round(both / withA, 4),
          });
      }
  }
  return rows;
}

export function churnReasons(
  events: JourneyEvent[],
  states: States,
  cut: Cut,
  churnStages: string[],
  ticketCategories: string[],
): Row[] {
  const said = events.filter(
    (e) =>
      (e.source === 'billing' && e.cancel_reason) ||
      (e.source === 'surveys' && churnStages.includes(e.survey_stage ?? '') && e.comment) ||
      (e.source === 'tickets' && ticketCategories.includes(e.ticket_category ?? '') && e.comment),
  );
  said.sort((a, b) => b.event_time - a.event_time || (a.event_id < b.event_id ? -1 : 1));
  return said.map((e) => ({
    at: chTime(e.event_time),
    account_key: e.account_id ?? '',
    source: e.source,
    verbatim: (e.source === 'billing' ? e.cancel_reason : e.comment) ?? '',
    cut_value: cutOf(cut, states.get(e.account_id ?? '')),
    current_mrr_cents: states.get(e.account_id ?? '')?.mrr_cents ?? 0,
  }));
}

/** The account's stage at `t`: the target of its last transition at or before t. */
export function stageAt(
  transitions: StageTransitionRow[],
  account: string,
  t: number,
  firstStage: string,
): string {
  const before = transitions
    .filter((r) => r.account_key === account && Date.parse(r.at) <= t)
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return before.pop()?.to_stage ?? firstStage;
}

export function voiceByStage(
  events: JourneyEvent[],
  states: States,
  transitions: StageTransitionRow[],
  cut: Cut,
  firstStage: string,
): Row[] {
  const answers = events
    .filter(
      (e) =>
        e.source === 'surveys' && e.score !== null && (e.score_kind === 'nps' || e.score_kind === 'csat'),
    )
    .map((e) => ({
      e,
      stage: e.survey_stage || stageAt(transitions, e.account_id ?? '', e.event_time, firstStage),
    }));
  return [...groupBy(answers, (a) => `${a.stage}|${cutOf(cut, states.get(a.e.account_id ?? ''))}`)].map(
    ([key, g]) => {
      const nps = g.filter((a) => a.e.score_kind === 'nps').map((a) => a.e.score!);
      const csat = g.filter((a) => a.e.score_kind === 'csat').map((a) => a.e.score!);
      return {
        stage: key.split('|')[0]!,
        cut_value: key.split('|')[1]!,
        nps_responses: nps.length,
        nps: nps.length
          ? round(
              (100 * (nps.filter((s) => s >= 9).length - nps.filter((s) => s <= 6).length)) / nps.length,
              1,
            )
          : null,
        csat_responses: csat.length,
        csat_avg: csat.length ? round(mean(csat), 2) : null,
        csat_satisfied_share: csat.length ? round(csat.filter((s) => s >= 4).length / csat.length, 4) : null,
      } as Row;
    },
  );
}

export function ticketsByStage(
  events: JourneyEvent[],
  states: States,
  transitions: StageTransitionRow[],
  cut: Cut,
  ticketEvent: string,
  firstStage: string,
): Row[] {
  const created = new Map<string, { account: string; ticket: string; at: number }>();
  for (const e of events) {
    if (e.name !== ticketEvent || !e.account_id || !e.ticket_id) continue;
    const key = `${e.account_id}|${e.ticket_id}`;
    const seen = created.get(key);
    if (!seen || e.event_time < seen.at)
      created.set(key, { account: e.account_id, ticket: e.ticket_id, at: e.event_time });
  }
  const tickets = [...created.values()].map((c) => ({
    ...c,
    stage: stageAt(transitions, c.account, c.at, firstStage),
  }));
  return [...groupBy(tickets, (c) => `${c.stage}|${cutOf(cut, states.get(c.account))}`)].map(([key, g]) => {
    const n = new Set(g.map((c) => c.ticket)).size;
    const accounts = new Set(g.map((c) => c.account)).size;
    return {
      stage: key.split('|')[0]!,
      cut_value: key.split('|')[1]!,
      tickets: n,
      accounts,
      tickets_per_account: round(n / accounts, 2),
    };
  });
}
