// Journey state on the changelog, compact: the values of every field in a fixed order (no key
// names), time lists and members as base-36 strings, derived fields left out and recomputed. The format tag is a fingerprint of the field
// list, so a state written by a build with other fields is refused (then rebuilt from events),
// never misread. Bounded collections keep a busy account under 4 KB (serialize-state.test.ts).
import { createHash } from 'node:crypto';
import { newAccountState } from './account-state.ts';
import type { AccountState } from './account-state.ts';

export const MAX_STATE_BYTES = 4096;

/** Recomputed on read: lastTouchBeforeSignup (last of touches), mrrCents (last of mrrHistory). */
const DERIVED = new Set<string>(['lastTouchBeforeSignup', 'mrrCents']);
const FIELDS = Object.keys(newAccountState('', 'account', 0, '', 0)).filter((k) => !DERIVED.has(k)) as Array<
  keyof AccountState
>;
export const STATE_FORMAT = createHash('sha256').update(FIELDS.join(',')).digest('hex').slice(0, 8);

export class StateFormatError extends Error {}

interface Codec {
  encode(value: never): unknown;
  decode(value: unknown): unknown;
}

/** Sorted epoch-ms lists as one base-36 string ("mk3x0ydc,mk3x1a2b"): 8-9 chars instead of 13. */
const timeList: Codec = {
  encode: (list: number[]) => list.map((t) => t.toString(36)).join(','),
  decode: (text) => ((text as string) === '' ? [] : (text as string).split(',').map((t) => parseInt(t, 36))),
};

/** members as one string: 8 hex key + base-36 day, per member. */
const members: Codec = {
  encode: (record: Record<string, number>) =>
    Object.entries(record)
      .map(([k, day]) => `${k}${day.toString(36)}`)
      .join(','),
  decode: (text) =>
    Object.fromEntries(
      (text as string) === ''
        ? []
        : (text as string).split(',').map((entry) => [entry.slice(0, 8), parseInt(entry.slice(8), 36)]),
    ),
};

const CODECS: Partial<Record<keyof AccountState, Codec>> = {
  members,
  dayFirsts: timeList,
  keyActions: timeList,
  ticketTimes: timeList,
  urgentTicketTimes: timeList,
  failedPaymentTimes: timeList,
  contractionTimes: timeList,
};

export function serializeState(state: AccountState): string {
  return JSON.stringify([
    STATE_FORMAT,
    ...FIELDS.map((k) => (CODECS[k] ? CODECS[k].encode(state[k] as never) : state[k])),
  ]);
}

export function deserializeState(text: string): AccountState {
  const values = JSON.parse(text) as unknown;
  if (!Array.isArray(values) || values[0] !== STATE_FORMAT || values.length !== FIELDS.length + 1)
    throw new StateFormatError(`journey state is not in format ${STATE_FORMAT}: rebuild it from events`);
  const state = Object.fromEntries(
    FIELDS.map((k, i) => [k, CODECS[k] ? CODECS[k].decode(values[i + 1]) : values[i + 1]]),
  ) as unknown as AccountState;
  state.lastTouchBeforeSignup = state.touches[state.touches.length - 1] ?? null;
  state.mrrCents = state.mrrHistory[state.mrrHistory.length - 1]?.[1] ?? 0;
  return state;
}
