// The Relax Inc. dataset (../shared/datasets/relax): 12,000 users in organisations and 207,917
// daily logins, with the adopted-user count ("logged in on 3 separate days within a 7-day window")
// computed here in plain JS, independently of the pipeline and of ClickHouse.
import { existsSync, readFileSync } from 'node:fs';

// shared/ sits beside the repository (CI lays a copy there); /work/shared in a developer's session.
const DIR =
  [new URL('../../../shared/datasets/relax/', import.meta.url).pathname, '/work/shared/datasets/relax/'].find(
    (dir) => existsSync(dir),
  ) ?? '../shared/datasets/relax/';
export const DAY = 86_400_000;
const csv = (file: string): string[][] =>
  readFileSync(DIR + file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(','));

export interface User {
  id: string;
  org: string;
  createdAt: number;
}
// creation_time is 'DD-MM-YYYY HH:MM' (taken as UTC).
export const users: User[] = csv('takehome_users.csv').map((f) => {
  const [date, time] = f[1]!.split(' ');
  const [dd, mm, yyyy] = date!.split('-');
  return { id: f[0]!, org: f[8]!, createdAt: Date.parse(`${yyyy}-${mm}-${dd}T${time}:00Z`) };
});
// time_stamp is 'YYYY-MM-DD' (a day); visited is always 1.
export const logins = csv('takehome_user_engagement.csv').map((f) => ({
  user: f[1]!,
  day: Date.parse(`${f[0]}T00:00:00Z`) / DAY,
}));

/** First day on which a user has logged in on 3 distinct days within 7 days, or null. */
export function adoptionDay(days: number[]): number | null {
  const distinct = [...new Set(days)].sort((a, b) => a - b);
  for (let i = 2; i < distinct.length; i++) if (distinct[i]! - distinct[i - 2]! <= 6) return distinct[i]!;
  return null;
}
const daysByUser = new Map<string, number[]>();
for (const l of logins) daysByUser.set(l.user, [...(daysByUser.get(l.user) ?? []), l.day]);
export const adoption = new Map(users.map((u) => [u.id, adoptionDay(daysByUser.get(u.id) ?? [])]));
export const adopted = [...adoption.values()].filter((d) => d !== null).length;
