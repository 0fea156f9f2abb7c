// Poison in numbers and times: IEEE extremes in amounts, seats, scores and timestamps, and times
// outside what a Date (±8.64e15 ms, years -271821 .. 275760) or the ingest window accepts.
import type { PoisonMessage, PoisonSource } from './poison-message.ts';
import {
  behaviorBase,
  invoiceBase,
  jsonBytes,
  mutate,
  subscriptionBase,
  surveyBase,
  ticketBase,
} from './poison-message.ts';
import type { Json } from './poison-message.ts';

type Row = [PoisonSource, Json, string | undefined, string];

const object = ['data', 'object'];
const item = [...object, 'items', 'data', 0];

function numberRows(): Row[] {
  const revenue = (v: number): Json => ({ ...behaviorBase(`revenue-${v}`), properties: { revenue: v } });
  const paid = (v: number): Json => mutate(invoiceBase(`paid-${v}`), [...object, 'amount_paid'], v);
  const seats = (v: number): Json => mutate(subscriptionBase(`seats-${v}`), [...object, 'quantity'], v);
  const score = (kind: string, v: number): Json => ({
    ...surveyBase(`score-${kind}-${v}`),
    survey_kind: kind,
    score: v,
  });
  return [
    ['behavior', revenue(1e308), 'value_out_of_range', 'revenue 1e308: Infinity minor units'],
    ['behavior', revenue(1e20), 'value_out_of_range', 'revenue 1e20'],
    ['behavior', revenue(9007199254740991), 'value_out_of_range', 'revenue 2^53 - 1'],
    ['billing', paid(1e308), 'value_out_of_range', 'amount_paid 1e308'],
    [
      'billing',
      paid(9007199254740991),
      'value_out_of_range',
      'amount_paid 2^53 - 1: beyond what avsc encodes as a long',
    ],
    ['billing', paid(1e20), 'value_out_of_range', 'amount_paid 1e20'],
    ['billing', seats(3e9), 'value_out_of_range', 'quantity 3e9: beyond the canonical Avro int (seats)'],
    ['billing', seats(9007199254740991), 'value_out_of_range', 'quantity 2^53 - 1'],
    ['billing', seats(1e20), 'value_out_of_range', 'quantity 1e20'],
    [
      'billing',
      mutate(subscriptionBase('unit-1e15'), [...item, 'price', 'unit_amount'], 1e15),
      'value_out_of_range',
      'unit_amount 1e15 x 25 seats: MRR beyond a long',
    ],
    ['surveys', score('nps', 1e308), 'invalid_field', 'NPS 1e308'],
    ['surveys', score('csat', -0), 'invalid_field', 'CSAT -0 (range 1-5)'],
    ['surveys', score('nps', 9007199254740991), 'invalid_field', 'NPS 2^53 - 1'],
    ['surveys', score('ces', 1e20), 'invalid_field', 'CES 1e20'],
  ];
}

function timeRows(): Row[] {
  const track = (field: string, v: unknown): Json => ({
    ...behaviorBase(`time-${field}-${String(v)}`),
    [field]: v,
    originalTimestamp: null,
  });
  const created = (v: number): Json => ({ ...invoiceBase(`created-${v}`), created: v });
  return [
    ['behavior', track('timestamp', '0000-01-01T00:00:00Z'), 'timestamp_out_of_window', 'year 0'],
    [
      'behavior',
      track('timestamp', '+275760-09-13T00:00:00.001Z'),
      'invalid_field',
      'one ms after the last Date, expanded year',
    ],
    [
      'behavior',
      track('timestamp', '-271821-04-20T00:00:00.000Z'),
      'invalid_field',
      'the first Date, expanded year',
    ],
    [
      'behavior',
      track('timestamp', '275760-09-13T00:00:00.000Z'),
      'invalid_field',
      'six-digit year without a sign',
    ],
    [
      'behavior',
      track('timestamp', 9007199254740991),
      'timestamp_out_of_window',
      'epoch ms 2^53 - 1: beyond a Date',
    ],
    [
      'behavior',
      track('timestamp', 8.64e15 + 1),
      'timestamp_out_of_window',
      'epoch ms one past the last Date',
    ],
    ['behavior', track('timestamp', -0), 'timestamp_out_of_window', 'epoch ms -0 (1970)'],
    ['behavior', track('timestamp', 1e20), 'invalid_field', 'epoch ms 1e20: not a safe integer'],
    [
      'behavior',
      { ...track('timestamp', 8.64e15), sentAt: -8.64e15 },
      'timestamp_out_of_window',
      'skew correction lands beyond any Date (timestamp + receivedAt - sentAt)',
    ],
    [
      'billing',
      created(9007199254740991),
      'timestamp_out_of_window',
      'created 2^53 - 1 s: x1000 is beyond a Date (threw RangeError in toISOString)',
    ],
    ['billing', created(-0), 'timestamp_out_of_window', 'created -0'],
    ['billing', created(1e20), 'value_out_of_range', 'created 1e20 s'],
    [
      'surveys',
      { ...surveyBase('answered-max'), answered_at: '+275760-09-13T00:00:00.001Z' },
      'invalid_field',
      'expanded year',
    ],
    [
      'surveys',
      { ...surveyBase('answered-9999'), answered_at: '9999-12-31T23:59:59Z' },
      'timestamp_out_of_window',
      'year 9999',
    ],
    [
      'surveys',
      { ...surveyBase('answered-neg'), answered_at: -9007199254740991 },
      'timestamp_out_of_window',
      'epoch ms -(2^53 - 1)',
    ],
    [
      'tickets',
      { ...ticketBase('created-0'), created_at: '0000-01-01', updated_at: '0000-01-01' },
      'timestamp_out_of_window',
      'year 0',
    ],
    [
      'tickets',
      { ...ticketBase('created-max'), created_at: 9007199254740991, updated_at: 9007199254740991 },
      'timestamp_out_of_window',
      'epoch ms 2^53 - 1',
    ],
  ];
}

export function numberTimePoison(): PoisonMessage[] {
  const rows = (cls: string, list: Row[]): PoisonMessage[] =>
    list.map(([source, payload, expectedReason, note]) => ({
      class: cls,
      source,
      value: jsonBytes(payload),
      ...(expectedReason === undefined ? {} : { expectedReason }),
      note,
    }));
  return [...rows('number_extremes', numberRows()), ...rows('timestamp_out_of_range', timeRows())];
}
