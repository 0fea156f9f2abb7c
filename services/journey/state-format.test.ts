// The format registry: migrations chain from any older format to the current one, and a list
// with a gap, a missing migration or a reused tag is refused when the registry is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stateFormatRegistry } from './state-format.ts';
import type { StateFormat } from './state-format.ts';

const V1: StateFormat = { version: 1, tag: 'f1', fields: ['seats'], encodings: {} };
/** Adds a field with its default. */
const V2: StateFormat = {
  version: 2,
  tag: 2,
  fields: ['seats', 'plan'],
  encodings: {},
  fromPrevious: (v) => ({ ...v, plan: null }),
};
/** Renames a field. */
const V3: StateFormat = {
  version: 3,
  tag: 3,
  fields: ['seatCount', 'plan'],
  encodings: {},
  fromPrevious: ({ seats, ...rest }) => ({ ...rest, seatCount: seats }),
};

test('migrations chain from every older format to the current one', () => {
  const formats = stateFormatRegistry([V1, V2, V3]);
  assert.equal(formats.current, V3);
  assert.deepEqual(formats.toCurrent(V1, { seats: 5 }), { seatCount: 5, plan: null });
  assert.deepEqual(formats.toCurrent(V2, { seats: 5, plan: 'pro' }), { seatCount: 5, plan: 'pro' });
  assert.deepEqual(formats.toCurrent(V3, { seatCount: 5, plan: 'pro' }), { seatCount: 5, plan: 'pro' });
});

test('a tag is found only as written: "2" is not format 2', () => {
  const formats = stateFormatRegistry([V1, V2, V3]);
  assert.equal(formats.formatOf('f1'), V1);
  assert.equal(formats.formatOf(2), V2);
  assert.equal(formats.formatOf('2'), undefined);
  assert.equal(formats.formatOf(null), undefined);
  assert.equal(formats.formatOf(['f1']), undefined);
});

test('the registry refuses a gap, a missing migration, a reused tag and a repeated field', () => {
  assert.throws(() => stateFormatRegistry([V1, V3]), /does not follow/);
  assert.throws(() => stateFormatRegistry([V1, { ...V2, fromPrevious: undefined }]), /no migration/);
  assert.throws(() => stateFormatRegistry([{ ...V1, fromPrevious: (v) => v }]), /no migration/);
  assert.throws(() => stateFormatRegistry([V1, { ...V2, tag: 'f1' }]), /share a tag/);
  assert.throws(() => stateFormatRegistry([{ ...V1, fields: ['seats', 'seats'] }]), /twice/);
  assert.throws(() => stateFormatRegistry([]), /no journey state format/);
});
