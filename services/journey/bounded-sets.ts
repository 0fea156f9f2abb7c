// Bounded, order-insensitive collections for journey state. Each keeps the top-k of a set under a
// total order, so inserting the same elements in any order (or merging two states) gives the same
// result: top_k(A ∪ B) = top_k(top_k(A) ∪ B).
import { MAX_WEEKS, dayOf, weekOfDay, weekdayOf } from './account-state.ts';
import type { WeekActivity } from './account-state.ts';

/** Sorted ascending, no duplicates, the largest `max` kept. */
export function insertNewest(list: readonly number[], value: number, max: number): number[] {
  if (list.includes(value)) return list as number[];
  const next = [...list, value].sort((a, b) => a - b);
  return next.length > max ? next.slice(next.length - max) : next;
}

/** Sorted by time; one entry per day holding that day's earliest time; the newest `max` days. */
export function insertDayFirst(list: readonly number[], t: number, max: number): number[] {
  const day = dayOf(t);
  const i = list.findIndex((x) => dayOf(x) === day);
  if (i >= 0) {
    if (list[i]! <= t) return list as number[];
    const next = [...list];
    next[i] = t;
    return next;
  }
  return insertNewest(list, t, max);
}

/** Keys with the largest values (ties: larger key) survive; at most `max`. Values merge by max. */
export function putMaxKeepNewest(
  record: Readonly<Record<string, number>>,
  key: string,
  value: number,
  max: number,
): Record<string, number> {
  if ((record[key] ?? -Infinity) >= value) return record as Record<string, number>;
  const next = { ...record, [key]: value };
  const keys = Object.keys(next);
  if (keys.length <= max) return next;
  const order = (a: string, b: string): number => next[a]! - next[b]! || (a < b ? -1 : 1);
  for (const k of keys.sort(order).slice(0, keys.length - max)) delete next[k];
  return next;
}

/** The smallest `max` strings, sorted. */
export function insertSmallestStrings(list: readonly string[], value: string, max: number): string[] {
  if (list.includes(value)) return list as string[];
  return [...list, value].sort().slice(0, max);
}

/** 32-slot linear-counting bit for a person (FNV-1a of the key). */
export function userBit(person: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < person.length; i++) hash = Math.imul(hash ^ person.charCodeAt(i), 0x01000193);
  return (1 << ((hash >>> 0) % 32)) >>> 0;
}

/** Short stable key for a person in `members` (8 hex chars of FNV-1a; collisions only merge seats). */
export function memberKey(person: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < person.length; i++) hash = Math.imul(hash ^ person.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** ORs a day (and a person) into the week table; the newest MAX_WEEKS weeks kept. */
export function addWeekActivity(
  weeks: readonly WeekActivity[],
  day: number,
  userBits: number,
): WeekActivity[] {
  const week = weekOfDay(day);
  const dayBit = 1 << weekdayOf(day);
  const i = weeks.findIndex((w) => w[0] === week);
  if (i >= 0) {
    const [, d, u] = weeks[i]!;
    if ((d | dayBit) === d && (u | userBits) >>> 0 === u) return weeks as WeekActivity[];
    const next = [...weeks];
    next[i] = [week, d | dayBit, (u | userBits) >>> 0];
    return next;
  }
  const next = [...weeks, [week, dayBit, userBits >>> 0] as WeekActivity].sort((a, b) => a[0] - b[0]);
  return next.length > MAX_WEEKS ? next.slice(next.length - MAX_WEEKS) : next;
}

/** Every active epoch day the week table still holds, ascending. */
export function activeDaysOf(weeks: readonly WeekActivity[]): number[] {
  const days: number[] = [];
  for (const [week, bits] of weeks) {
    for (let wd = 0; wd < 7; wd++) if (bits & (1 << wd)) days.push(week * 7 - 3 + wd);
  }
  return days;
}

export const popcount = (bits: number): number => {
  let n = 0;
  for (let b = bits >>> 0; b !== 0; b &= b - 1) n++;
  return n;
};

/** Linear-counting estimate of distinct persons from a 32-slot sketch (exact when no collisions). */
export function estimateUsers(userBits: number): number {
  const set = popcount(userBits);
  if (set === 0) return 0;
  if (set === 32) return 32 * Math.log(32); // saturated: the sketch's ceiling (~111)
  return Math.round(-32 * Math.log(1 - set / 32));
}
