// Plain-JS oracles of the engagement metric queries (weekly/daily activity, feature adoption,
// retention). Each mirrors the documented definition in its queries/<name>.sql header.
import type { JourneyEvent } from '../../services/shared/generated/avro-types.ts';
import type { AccountStateRow } from '../../services/sink/rows/journey-state-rows.ts';
import {
  DAY,
  accountOf,
  cutOf,
  dayNumber,
  entities,
  groupBy,
  monday,
  round,
} from './metrics-oracle-support.ts';
import type { Cut, Row } from './metrics-oracle-support.ts';

type States = Map<string, AccountStateRow>;
type Entity = 'account' | 'person';
const ACTIVITY = new Set(['track', 'page', 'screen']);
const firstTime = (evs: JourneyEvent[], name: string): number | undefined =>
  evs.find((e) => e.name === name)?.event_time;

export function weeklyActive(events: JourneyEvent[], states: States, cut: Cut): Row[] {
  const active = events.filter((e) => ACTIVITY.has(e.type));
  return [
    ...groupBy(active, (e) => `${monday(e.event_time)}|${cutOf(cut, states.get(e.account_id ?? ''))}`),
  ].map(([key, g]) => ({
    week: key.split('|')[0]!,
    cut_value: key.split('|')[1]!,
    active_users: new Set(g.map((e) => e.person_id)).size,
    active_accounts: new Set(g.map((e) => e.account_id).filter(Boolean)).size,
  }));
}

export function activeAccountsDaily(events: JourneyEvent[], states: States, cut: Cut): Row[] {
  const active = events.filter((e) => ACTIVITY.has(e.type) && e.account_id);
  const day = (t: number): string => new Date(dayNumber(t) * DAY).toISOString().slice(0, 10);
  return [...groupBy(active, (e) => `${day(e.event_time)}|${cutOf(cut, states.get(e.account_id!))}`)].map(
    ([key, g]) => ({
      day: key.split('|')[0]!,
      cut_value: key.split('|')[1]!,
      active_accounts: new Set(g.map((e) => e.account_id)).size,
    }),
  );
}

export function featuresByAccount(events: JourneyEvent[], featureEvent: string): Map<string, Set<string>> {
  const features = new Map<string, Set<string>>();
  for (const e of events) {
    const f = (JSON.parse(e.properties_json) as { feature?: string }).feature;
    if (e.name !== featureEvent || !e.account_id || !f) continue;
    features.set(e.account_id, (features.get(e.account_id) ?? new Set()).add(f));
  }
  return features;
}

export function featureAdoption(
  events: JourneyEvent[],
  states: States,
  cut: Cut,
  featureEvent: string,
): Row[] {
  const activeAccounts = [
    ...new Set(events.filter((e) => ACTIVITY.has(e.type) && e.account_id).map((e) => e.account_id!)),
  ];
  const features = featuresByAccount(
    events.filter((e) => ACTIVITY.has(e.type)),
    featureEvent,
  );
  const rows: Row[] = [];
  for (const [cut_value, accounts] of groupBy(activeAccounts, (a) => cutOf(cut, states.get(a)))) {
    const used = accounts.flatMap((a) => [...(features.get(a) ?? [])]);
    for (const [feature, users] of groupBy(used, (f) => f))
      rows.push({
        cut_value,
        feature,
        adopters: users.length,
        active_accounts: accounts.length,
        adoption_rate: round(users.length / accounts.length, 4),
      });
  }
  return rows;
}

export function retentionByCohort(
  events: JourneyEvent[],
  states: States,
  cut: Cut,
  signup: string,
  maxWeeks: number,
  entity: Entity,
): Row[] {
  const per: Array<{ cohort: string; cut_value: string; weeks: number[] }> = [];
  for (const evs of entities(events, entity).values()) {
    const signupAt = firstTime(evs, signup);
    if (signupAt === undefined) continue;
    const cohort = monday(signupAt);
    const cohortDay = Date.parse(`${cohort}T00:00:00Z`);
    const weeks = new Set(
      evs
        .filter((e) => ACTIVITY.has(e.type))
        .map((e) => Date.parse(`${monday(e.event_time)}T00:00:00Z`))
        .filter((w) => w >= cohortDay)
        .map((w) => Math.floor((w - cohortDay) / (7 * DAY)))
        .filter((n) => n <= maxWeeks),
    );
    per.push({ cohort, cut_value: cutOf(cut, states.get(accountOf(evs)), { cohort }), weeks: [...weeks] });
  }
  return [...groupBy(per, (p) => `${p.cohort}|${p.cut_value}`).values()].flatMap((g) =>
    [
      ...groupBy(
        g.flatMap((p) => p.weeks.map(String)),
        (w) => w,
      ),
    ].map(([week, list]) => ({
      cohort_week: g[0]!.cohort,
      cut_value: g[0]!.cut_value,
      week_number: Number(week),
      cohort_size: g.length,
      retained: list.length,
      retention_rate: round(list.length / g.length, 4),
    })),
  );
}
