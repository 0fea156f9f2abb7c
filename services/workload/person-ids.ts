// The identifiers of user `u` of an account, derived on demand (never stored): user id, 1..N
// devices (each with its own Segment anonymousId and device id) and 1..M email addresses.
import type { AccountTraits } from './account-traits.ts';
import { TAG } from './account-traits.ts';
import { hash32, hex32, Rng, uuidFrom } from './prng.ts';
import type { WorkloadProfile } from './workload-profile.ts';

const FIRST = [
  'ada',
  'alan',
  'grace',
  'linus',
  'margaret',
  'ken',
  'barbara',
  'dennis',
  'frances',
  'john',
  'radia',
  'tim',
  'hedy',
  'edsger',
  'katherine',
  'donald',
  'sophie',
  'guido',
  'anita',
  'bjarne',
];
const LAST = [
  'lovelace',
  'turing',
  'hopper',
  'torvalds',
  'hamilton',
  'thompson',
  'liskov',
  'ritchie',
  'allen',
  'backus',
  'perlman',
  'berners',
  'lamarr',
  'dijkstra',
  'johnson',
  'knuth',
  'wilson',
  'rossum',
  'borg',
  'stroustrup',
];

export interface PersonIds {
  userId: string;
  name: string;
  emails: string[];
  anonymousIds: string[];
  deviceIds: string[];
}

export function derivePerson(
  seed: number,
  account: AccountTraits,
  userIndex: number,
  profile: WorkloadProfile,
): PersonIds {
  const rng = new Rng(seed, TAG.person, account.index, userIndex);
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const devices = rng.int(1, profile.maxDevicesPerUser);
  const emailCount = rng.int(1, profile.maxEmailsPerUser);
  const suffix = hex32(hash32(seed, TAG.email, account.index, userIndex)).slice(0, 4);
  const emails = [`${first}.${last}.${suffix}@${account.domain}`];
  if (emailCount > 1) emails.push(`${first}${suffix}@mail.example`);
  if (emailCount > 2) emails.push(`${first[0]}.${last}+${suffix}@${account.domain}`);
  const anonymousIds: string[] = [];
  const deviceIds: string[] = [];
  for (let d = 0; d < devices; d++) {
    anonymousIds.push(uuidFrom(seed, TAG.anonymous, account.index, userIndex, d));
    deviceIds.push(`dev_${hex32(hash32(seed, TAG.device, account.index, userIndex, d))}`);
  }
  return {
    userId: `usr_${account.index.toString(36)}_${userIndex.toString(36)}${suffix}`,
    name: `${first[0]?.toUpperCase()}${first.slice(1)} ${last[0]?.toUpperCase()}${last.slice(1)}`,
    emails,
    anonymousIds,
    deviceIds,
  };
}
