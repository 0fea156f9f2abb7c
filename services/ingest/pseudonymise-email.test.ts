import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashEmail, normaliseEmail, scrubEmails } from './pseudonymise-email.ts';
import { minorUnitExponent, toMinorUnits } from './minor-units.ts';

const pii = { emailHmacKey: 'test-secret-do-not-use', keepRawPii: false };

describe('email pseudonymisation', () => {
  it('normalises before hashing, so case and spaces do not split a person', () => {
    assert.equal(normaliseEmail('  Peter@Example.COM '), 'peter@example.com');
    // HMAC-SHA-256 test vector for this key and address
    assert.equal(
      hashEmail('peter@example.com', pii),
      'ff9655707878a233428411237100322bffced6255c27793faf87665339b8aac2',
    );
    assert.notEqual(
      hashEmail('peter@example.com', { ...pii, emailHmacKey: 'other' }),
      hashEmail('peter@example.com', pii),
    );
  });

  it('non-addresses are not emails', () => {
    for (const v of ['n/a', 'peter', '@example.com', 'a b@c.d', ''])
      assert.equal(normaliseEmail(v), undefined, v);
  });

  it('scrubs email keys at any depth and emails inside strings and arrays', () => {
    const out = scrubEmails(
      { Email: 'x@y.io', e_mail_address: 'x@y.io', list: ['x@y.io', 3], deep: { email: 'x@y.io', ok: true } },
      pii,
    );
    assert.deepEqual(out, { list: [`hmac:${hashEmail('x@y.io', pii)}`, 3], deep: { ok: true } });
  });
});

describe('minor units', () => {
  it('uses the ISO 4217 exponent of the currency', () => {
    assert.deepEqual(
      [minorUnitExponent('USD'), minorUnitExponent('jpy'), minorUnitExponent('KWD')],
      [2, 0, 3],
    );
    assert.equal(toMinorUnits(19.99, 'usd'), 1999);
    assert.equal(toMinorUnits(1500, 'JPY'), 1500);
    assert.equal(toMinorUnits(1.234, 'kwd'), 1234);
  });
});

describe('prototype keys in free-form maps (#14)', () => {
  it('a "__proto__" key (an own key after JSON.parse) stays data: kept, not made the prototype', () => {
    const map = JSON.parse('{"__proto__":{"polluted":"x@y.io"},"a":1}') as object;
    const out = scrubEmails(map, pii) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.ok(Object.hasOwn(out, '__proto__'));
    assert.equal(JSON.stringify(out), `{"__proto__":{"polluted":"hmac:${hashEmail('x@y.io', pii)}"},"a":1}`);
  });
});
