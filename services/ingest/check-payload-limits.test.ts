import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkMessageShape, checkPropertyCount } from './check-payload-limits.ts';
import { DEFAULT_INGEST_LIMITS } from './ingest-config.ts';
import { PayloadError } from './payload-error.ts';

const limits = { ...DEFAULT_INGEST_LIMITS, maxDepth: 3, maxStringLength: 5, maxPropertyCount: 4 };
const reason = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof PayloadError);
    return e.reason;
  }
};

describe('payload limits', () => {
  it('depth counts objects and arrays; the root is 1', () => {
    assert.equal(
      reason(() => checkMessageShape({ a: { b: [1] } }, limits)),
      undefined,
    );
    assert.equal(
      reason(() => checkMessageShape({ a: { b: [[1]] } }, limits)),
      'too_deep',
    );
  });

  it('does not overflow the stack on hostile nesting', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.equal(
      reason(() => checkMessageShape(deep, DEFAULT_INGEST_LIMITS)),
      'too_deep',
    );
  });

  it('string length applies to values and keys', () => {
    assert.equal(
      reason(() => checkMessageShape({ a: ['12345'] }, limits)),
      undefined,
    );
    assert.equal(
      reason(() => checkMessageShape({ a: ['123456'] }, limits)),
      'string_too_long',
    );
    assert.equal(
      reason(() => checkMessageShape({ abcdef: 1 }, limits)),
      'string_too_long',
    );
  });

  it('errors name the path of the offending value', () => {
    const message = (value: unknown): string => {
      try {
        checkMessageShape(value, limits);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    assert.match(message({ a: ['ok', '123456'] }), /^a\[1\]: 6 characters, limit 5$/);
    assert.match(message({ a: { b: ['123456'] } }), /^a\.b\[0\]: 6 characters/);
    assert.match(message([['123456']]), /^\[0\]\[0\]: 6 characters/);
    assert.match(message('123456'), /^\(root\): 6 characters/);
    assert.match(message({ a: { abcdef: 1 } }), /^a: a key of 6 characters$/);
    assert.match(message({ a: { b: [[1]] } }), /^a\.b\[0\]: nesting deeper than 3$/);
  });

  it('property count adds up keys at every depth across the free-form maps', () => {
    assert.equal(
      reason(() => checkPropertyCount([{ a: 1, b: { c: 1 } }, { d: 1 }, undefined], limits)),
      undefined,
    );
    assert.equal(
      reason(() =>
        checkPropertyCount(
          [
            { a: 1, b: { c: 1 } },
            { d: 1, e: 2 },
          ],
          limits,
        ),
      ),
      'too_many_properties',
    );
    assert.equal(
      reason(() => checkPropertyCount([{ list: [{ a: 1 }, { b: 1 }, { c: 1 }, { d: 1 }] }], limits)),
      'too_many_properties',
    );
  });
});
