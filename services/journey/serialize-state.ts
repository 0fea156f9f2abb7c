// Journey state on the changelog, compact: a format tag, then the values of the format's fields
// in its order (no key names), time lists and members as base-36 strings, derived fields left
// out and recomputed. A state in an older format is migrated to the current one (state-formats.ts);
// only an unknown tag is refused, never misread. Bounded collections keep a busy account under
// 4 KB (serialize-state.test.ts).
import { accountMrrHistory } from './account-mrr.ts';
import { MAX_MRR_HISTORY } from './account-state.ts';
import { newAccountState } from './account-state.ts';
import type { AccountState } from './account-state.ts';
import type { FieldEncoding, StateFormat, StateFormatRegistry, StateValues } from './state-format.ts';
import { JOURNEY_STATE_FORMATS } from './state-formats.ts';

export const MAX_STATE_BYTES = 4096;

/** Recomputed on read: lastTouchBeforeSignup (last of touches), mrrHistory and mrrCents (the sum
 *  of the subscriptions' series, account-mrr.ts). */
const DERIVED = new Set<string>(['lastTouchBeforeSignup', 'mrrHistory', 'mrrCents']);
/** The fields this build's AccountState must persist. The current format must list exactly these
 * (state-formats.test.ts): writing uses the format's list, so the tag always says what was written. */
export const STATE_FIELDS: readonly string[] = Object.keys(newAccountState('', 'account', 0, '', 0)).filter(
  (k) => !DERIVED.has(k),
);

/** A state in no known format (or not a state at all): the caller drops it. */
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

const CODECS: Record<FieldEncoding, Codec> = { members, time_list: timeList };

/** One field of the state as `format` writes it. */
function encodedValue(record: Record<string, unknown>, field: string, format: StateFormat): unknown {
  const encoding = format.encodings[field];
  return encoding ? CODECS[encoding].encode(record[field] as never) : record[field];
}

/** The state's fields as the current format writes them (the values migrations work on). */
export function encodeState(state: AccountState, formats = JOURNEY_STATE_FORMATS): StateValues {
  const record = state as unknown as Record<string, unknown>;
  return Object.fromEntries(formats.current.fields.map((k) => [k, encodedValue(record, k, formats.current)]));
}

/** The same values as encodeState, straight into the written array: every dirty account is
 *  serialised at each batch's flush (~11 % of the single writer's busy time at half load, CPU
 *  profile), and the record encodeState built first (56 keys) was 40 % of it (15 -> 8.6 us). */
export function serializeState(state: AccountState, formats = JOURNEY_STATE_FORMATS): string {
  const format = formats.current;
  const record = state as unknown as Record<string, unknown>;
  const out: unknown[] = [format.tag];
  for (const k of format.fields) out.push(encodedValue(record, k, format));
  return JSON.stringify(out);
}

/** Reads a state in any format of `formats`, migrated to the current one. */
export function deserializeState(
  text: string,
  formats: StateFormatRegistry = JOURNEY_STATE_FORMATS,
): AccountState {
  const values = JSON.parse(text) as unknown;
  const format = Array.isArray(values) ? formats.formatOf(values[0]) : undefined;
  if (format === undefined || (values as unknown[]).length !== format.fields.length + 1)
    throw new StateFormatError('journey state is in no known format: rebuild it from events');
  const written = Object.fromEntries(format.fields.map((k, i) => [k, (values as unknown[])[i + 1]]));
  const migrated = formats.toCurrent(format, written);
  const { fields, encodings } = formats.current;
  const state = Object.fromEntries(
    fields.map((k) => {
      const encoding = encodings[k];
      return [k, encoding ? CODECS[encoding].decode(migrated[k]) : migrated[k]];
    }),
  ) as unknown as AccountState;
  state.lastTouchBeforeSignup = state.touches[state.touches.length - 1] ?? null;
  state.mrrHistory = accountMrrHistory(state.subscriptionMrr, MAX_MRR_HISTORY);
  state.mrrCents = state.mrrHistory[state.mrrHistory.length - 1]?.[1] ?? 0;
  return state;
}
