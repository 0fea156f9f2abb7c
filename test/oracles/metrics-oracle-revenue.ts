// Plain-JS oracles of the revenue, voice and support metric queries.
import type { JourneyEvent } from '../../services/shared/generated/avro-types.ts';
import type { AccountStateRow, StageTransitionRow } from '../../services/sink/rows/journey-state-rows.ts';
import { cutOf, groupBy, mean, round } from './metrics-oracle-support.ts';
import type { Cut, Row } from './metrics-oracle-support.ts';
import { featuresByAccount } from './metrics-oracle-engagement.ts';

type States = Map<string, AccountStateRow>;
const month = (t: number): string => new Date(t).toISOString().slice(0, 8) + '01';
const chTime = (t: number): string => new Date(t).toISOString().replace('T', ' ').replace('Z', '');

export interface AccountMrrChange {
  account: string;
  at: number;
  before: number;
  after: number;
  kind: 'new' | 'expansion' | 'contraction' | 'churn' | 'reactivation';
}

/** The account's MRR changes, computed plainly: every instant at which any of its subscriptions'
 *  MRR changed, the account's MRR before and after as the sum of each subscription's latest value
 *  (the larger one at a tie), and the kind from before and after. */
export function accountMrrChanges(events: JourneyEvent[]): AccountMrrChange[] {
  const out: AccountMrrChange[] = [];
  const billing = events.filter((e) => e.account_id && e.mrr_cents !== null);
  const unique = [...new Map(billing.map((e) => [e.event_id, e])).values()];
  for (const [account, evs] of groupBy(unique, (e) => e.account_id!)) {
    const subscriptionOf = (e: JourneyEvent): string => {
      const id = (JSON.parse(e.properties_json || '{}') as { subscription_id?: unknown }).subscription_id;
      return typeof id === 'string' ? id : '';
    };
    const times = [...new Set(evs.map((e) => e.event_time))].sort((x, y) => x - y);
    const mrrAt = (t: number): number => {
      let sum = 0;
      for (const [, subEvents] of groupBy(evs, subscriptionOf)) {
        const before = subEvents.filter((e) => e.event_time <= t);
        const last = Math.max(-Infinity, ...before.map((e) => e.event_time));
        if (before.length > 0)
          sum += Math.max(...before.filter((e) => e.event_time === last).map((e) => e.mrr_cents!));
      }
      return sum;
    };
    let before = 0;
    let customer = false;
    for (const t of times) {
      const after = mrrAt(t);
      if (after !== before) {
        const kind =
          before === 0
            ? customer
              ? 'reactivation'
              : 'new'
            : after === 0
              ? 'churn'
              : after > before
                ? 'expansion'
                : 'contraction';
        out.push({ account, at: t, before, after, kind });
      }
      customer ||= after > 0;
      before = after;
    }
  }
  return out;
}

export function nrrByCohort(
  events: JourneyEvent[],
  states: States,
  cut: Cut,
  start: number,
  end: number,
): Row[] {
  const per: Array<{ cohort: string; cut_value: string; start: number; end: number }> = [];
  for (const [account, changes] of groupBy(accountMrrChanges(events), (c) => c.account)) {
    const at = (t: number): number => changes.filter((c) => c.at <= t).pop()?.after ?? 0;
    const firstPaid = changes.find((c) => c.after > 0);
    if (at(start) <= 0 || !firstPaid) continue;
    per.push({
      cohort: month(firstPaid.at),
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
  const changes = accountMrrChanges(events);
  return [...groupBy(changes, (c) => `${month(c.at)}|${cutOf(cut, states.get(c.account))}`)].map(
    ([key, g]) => {
      const sum = (kind: string): number =>
        g.filter((c) => c.kind === kind).reduce((s, c) => s + c.after - c.before, 0);
      return {
        month: key.split('|')[0]!,
        cut_value: key.split('|')[1]!,
        new_mrr_cents: sum('new'),
        expansion_mrr_cents: sum('expansion'),
        contraction_mrr_cents: sum('contraction'),
        churned_mrr_cents: sum('churn'),
        reactivation_mrr_cents: sum('reactivation'),
        net_mrr_change_cents: g.reduce((s, c) => s + c.after - c.before, 0),
        expanding_accounts: new Set(g.filter((c) => c.kind === 'expansion').map((c) => c.account)).size,
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
