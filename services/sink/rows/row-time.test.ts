import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isoTime, isoTimeOrNull, mondayOf } from './row-time.ts';

test('isoTime is exactly Date#toISOString for any millisecond, day boundaries included', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (t) => {
      assert.equal(isoTime(t), new Date(t).toISOString());
    }),
    { numRuns: 20_000 },
  );
  for (const t of [0, 999, 1000, 86_399_999, 86_400_000, Date.UTC(2024, 1, 29, 23, 59, 59, 999)])
    assert.equal(isoTime(t), new Date(t).toISOString());
});

test('isoTime outside four-digit years falls back to Date (six-digit years, before 1970)', () => {
  for (const t of [-1, -86_400_001, 253_402_300_800_000, 8.64e15])
    assert.equal(isoTime(t), new Date(t).toISOString());
  assert.throws(() => isoTime(Number.NaN), RangeError);
  assert.equal(isoTimeOrNull(null), null);
});

test('mondayOf is the Monday of the UTC week', () => {
  assert.equal(mondayOf(Date.UTC(2026, 10, 28, 12)), '2026-11-23');
  assert.equal(mondayOf(Date.UTC(2026, 10, 23, 0)), '2026-11-23');
  assert.equal(mondayOf(Date.UTC(2026, 10, 22, 23, 59)), '2026-11-16');
});
