import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectIdentifiers } from './collect-identifiers.ts';
import { TEST_CONFIG } from './fixtures/load-fixture.ts';
import { PayloadError } from './payload-error.ts';

describe('collectIdentifiers', () => {
  it('an identifier with a lone UTF-16 surrogate is invalid_field: UTF-8 would make it U+FFFD (#14)', () => {
    // "u\ud800" and "u\udbff" both become "u\ufffd" in Avro and ClickHouse: one person from two.
    for (const value of ['u\ud800', 'u\udbff', '\udc00', 'a\ud83d']) {
      assert.throws(
        () => collectIdentifiers({ user_id: value }, TEST_CONFIG),
        (e: unknown) => e instanceof PayloadError && e.reason === 'invalid_field',
        JSON.stringify(value),
      );
    }
  });

  it('a surrogate pair (an emoji) is a valid identifier', () => {
    assert.equal(collectIdentifiers({ user_id: 'u\u{1F600}' }, TEST_CONFIG).ids.user_id, 'u\u{1F600}');
  });
});
