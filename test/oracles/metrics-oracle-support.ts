// Plain-JS helpers for the metric oracles: the tests compute every metric a second time, without
// SQL, from the same fixture rows, and compare.
import type { JourneyEvent } from '../../services/shared/generated/avro-types.ts';
import type { AccountStateRow } from '../../services/sink/rows/journey-state-rows.ts';
import type { IdentityOverrideRow } from '../../services/sink/rows/identity-rows.ts';
import { mondayOf } from '../../services/sink/rows/row-time.ts';

export type Row = Record<string, string | number | null>;
export type Cut = 'all' | 'segment' | 'plan' | 'channel' | 'cohort';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
export const monday = (t: number): string => mondayOf(t);
export const dayNumber = (t: number): number => Math.floor(t / DAY);

export interface OracleInput {
  events: JourneyEvent[];
  overrides: IdentityOverrideRow[];
  states: AccountStateRow[];
}

/** Events with person ids re-attributed through the overrides (highest version wins). */
export function resolvedEvents(input: OracleInput): JourneyEvent[] {
  const latest = new Map<string, IdentityOverrideRow>();
  for (const o of input.overrides) {
    const seen = latest.get(o.old_person_id);
    if (!seen || seen.version < o.version) latest.set(o.old_person_id, o);
  }
  return input.events.map((e) => ({
    ...e,
    person_id: latest.get(e.person_id ?? '')?.person_id ?? e.person_id,
  }));
}

/** The newest snapshot per account. */
export function latestStates(states: AccountStateRow[]): Map<string, AccountStateRow> {
  const latest = new Map<string, AccountStateRow>();
  for (const s of states) {
    const seen = latest.get(s.account_key);
    if (!seen || seen.version < s.version) latest.set(s.account_key, s);
  }
  return latest;
}

/** The cut value of an account: its dimension, or `cohort` (the metric's own cohort when given). */
export function cutOf(
  cut: Cut,
  state: AccountStateRow | undefined,
  own: { cohort?: string; channel?: string } = {},
): string {
  switch (cut) {
    case 'segment':
      return state?.segment ?? '';
    case 'plan':
      return state?.plan ?? '';
    case 'channel':
      return own.channel ?? state?.first_touch_channel ?? '';
    case 'cohort':
      return own.cohort ?? state?.cohort_week ?? '1970-01-01';
    default:
      return 'all';
  }
}

export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

/** Entities (accounts or persons) with their events, oldest first; '' entities skipped. */
export function entities(events: JourneyEvent[], entity: 'account' | 'person'): Map<string, JourneyEvent[]> {
  const list = events.filter((e) => (entity === 'person' ? e.person_id : e.account_id));
  const groups = groupBy(list, (e) => (entity === 'person' ? e.person_id! : e.account_id!));
  for (const evs of groups.values()) evs.sort((a, b) => a.event_time - b.event_time);
  return groups;
}

export const accountOf = (evs: JourneyEvent[]): string => evs.find((e) => e.account_id)?.account_id ?? '';

/** ClickHouse quantileExact(0.5): the element at floor(n / 2) of the sorted values. */
export function upperMedian(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export const mean = (values: number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

export function sortRows(rows: Row[], keys: string[]): Row[] {
  return [...rows].sort((a, b) => {
    for (const k of keys) {
      const x = a[k] ?? '';
      const y = b[k] ?? '';
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  });
}
