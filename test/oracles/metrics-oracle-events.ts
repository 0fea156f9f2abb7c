// Plain-JS oracles of the acquisition and activation metric queries.
// Each mirrors the documented definition in its queries/<name>.sql header.
import type { JourneyEvent } from '../../services/shared/generated/avro-types.ts';
import type { AccountStateRow } from '../../services/sink/rows/journey-state-rows.ts';
import {
  HOUR,
  accountOf,
  cutOf,
  dayNumber,
  entities,
  groupBy,
  mean,
  monday,
  round,
  upperMedian,
} from './metrics-oracle-support.ts';
import type { Cut, Row } from './metrics-oracle-support.ts';

type States = Map<string, AccountStateRow>;
type Entity = 'account' | 'person';
const firstTime = (evs: JourneyEvent[], name: string): number | undefined =>
  evs.find((e) => e.name === name)?.event_time;

export function acquisitionConversion(
  events: JourneyEvent[],
  states: States,
  cut: Cut,
  conversion: string,
  entity: Entity,
): Row[] {
  const rows: Array<{ model: string; channel: string; cut_value: string; converted: boolean }> = [];
  for (const evs of entities(events, entity).values()) {
    const touches = evs.filter((e) => e.channel);
    if (touches.length === 0) continue;
    const convertedAt = firstTime(evs, conversion);
    const first = touches[0]!;
    const last =
      convertedAt === undefined
        ? touches[touches.length - 1]!
        : touches.filter((e) => e.event_time <= convertedAt).pop();
    const cutValue = cutOf(cut, states.get(accountOf(evs)), {
      channel: first.channel!,
      cohort: monday(first.event_time),
    });
    const converted = convertedAt !== undefined;
    rows.push({ model: 'first_touch', channel: first.channel!, cut_value: cutValue, converted });
    rows.push({ model: 'last_touch', channel: last?.channel ?? '', cut_value: cutValue, converted });
  }
  return [...groupBy(rows, (r) => `${r.model}|${r.channel}|${r.cut_value}`).values()].map((g) => {
    const conversions = g.filter((r) => r.converted).length;
    return {
      model: g[0]!.model,
      channel: g[0]!.channel,
      cut_value: g[0]!.cut_value,
      entities: g.length,
      conversions,
      conversion_rate: round(conversions / g.length, 4),
    };
  });
}

function durations(values: Array<{ cut_value: string; hours: number }>): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const v of values) groups.set(v.cut_value, [...(groups.get(v.cut_value) ?? []), v.hours]);
  return groups;
}

export function timeToQualified(
  events: JourneyEvent[],
  states: States,
  cut: Cut,
  qualified: string[],
  entity: Entity,
): Row[] {
  const values: Array<{ cut_value: string; hours: number }> = [];
  for (const evs of entities(events, entity).values()) {
    const q = evs.find((e) => qualified.includes(e.name));
    if (!q) continue;
    const first = evs[0]!.event_time;
    values.push({
      cut_value: cutOf(cut, states.get(accountOf(evs)), { cohort: monday(first) }),
      hours: (q.event_time - first) / HOUR,
    });
  }
  return [...durations(values)].map(([cut_value, hours]) => ({
    cut_value,
    qualified: hours.length,
    avg_hours: round(mean(hours), 2),
    p50_hours: round(upperMedian(hours), 2),
  }));
}

export function timeToFirstValue(
  events: JourneyEvent[],
  states: States,
  cut: Cut,
  signup: string,
  value: string,
  entity: Entity,
): Row[] {
  const groups = new Map<string, { signed: number; hours: number[] }>();
  for (const evs of entities(events, entity).values()) {
    const signupAt = firstTime(evs, signup);
    if (signupAt === undefined) continue;
    const valueAt = evs.find((e) => e.name === value && e.event_time >= signupAt)?.event_time;
    const key = cutOf(cut, states.get(accountOf(evs)), { cohort: monday(signupAt) });
    const g = groups.get(key) ?? { signed: 0, hours: [] };
    g.signed++;
    if (valueAt !== undefined) g.hours.push((valueAt - signupAt) / HOUR);
    groups.set(key, g);
  }
  return [...groups].map(([cut_value, g]) => ({
    cut_value,
    signed_up: g.signed,
    reached_value: g.hours.length,
    avg_hours: round(mean(g.hours), 2),
    p50_hours: round(upperMedian(g.hours), 2),
  }));
}

/** The day an entity activates: `times` distinct days of `event` within `windowDays`; null if never. */
export function activationDay(days: number[], times: number, windowDays: number): number | null {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  for (let i = times - 1; i < sorted.length; i++)
    if (sorted[i]! - sorted[i - times + 1]! < windowDays) return sorted[i]!;
  return null;
}

export function activationByCohort(
  events: JourneyEvent[],
  states: States,
  cut: Cut,
  signup: string,
  activation: string,
  times: number,
  windowDays: number,
  entity: Entity,
): Row[] {
  const rows: Row[] = [];
  const per: Array<{ key: string; cohort: string; cut_value: string; days: number | null }> = [];
  for (const evs of entities(events, entity).values()) {
    const signupAt = firstTime(evs, signup);
    if (signupAt === undefined) continue;
    const day = activationDay(
      evs.filter((e) => e.name === activation).map((e) => dayNumber(e.event_time)),
      times,
      windowDays,
    );
    const cohort = monday(signupAt);
    const cutValue = cutOf(cut, states.get(accountOf(evs)), { cohort });
    per.push({
      key: `${cohort}|${cutValue}`,
      cohort,
      cut_value: cutValue,
      days: day === null ? null : day - dayNumber(signupAt),
    });
  }
  for (const g of groupBy(per, (p) => p.key).values()) {
    const within = (n: number): number => g.filter((p) => p.days !== null && p.days <= n).length;
    rows.push({
      cohort_week: g[0]!.cohort,
      cut_value: g[0]!.cut_value,
      signed_up: g.length,
      activated_7d: within(7),
      activated_14d: within(14),
      activated_ever: g.filter((p) => p.days !== null).length,
      rate_7d: round(within(7) / g.length, 4),
      rate_14d: round(within(14) / g.length, 4),
    });
  }
  return rows;
}

export function onboardingFunnel(
  events: JourneyEvent[],
  states: States,
  cut: Cut,
  steps: string[],
  entity: Entity,
): Row[] {
  const per: Array<{ cut_value: string; depth: number }> = [];
  for (const evs of entities(events, entity).values()) {
    const done = new Set(evs.map((e) => e.name));
    let depth = 0;
    while (depth < steps.length && done.has(steps[depth]!)) depth++;
    if (depth === 0) continue;
    per.push({
      cut_value: cutOf(cut, states.get(accountOf(evs)), { cohort: monday(firstTime(evs, steps[0]!)!) }),
      depth,
    });
  }
  return [...groupBy(per, (p) => p.cut_value)].flatMap(([cut_value, g]) =>
    steps.map((step, i) => {
      const reached = g.filter((p) => p.depth >= i + 1).length;
      const previous = g.filter((p) => p.depth >= i).length;
      return {
        step_index: i + 1,
        step,
        cut_value,
        reached,
        previous,
        dropped: previous - reached,
        drop_off_rate: i === 0 ? 0 : round((previous - reached) / previous, 4),
        conversion_from_start: round(reached / g.length, 4),
      };
    }),
  );
}
