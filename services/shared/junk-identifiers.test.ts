import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isJunkIdentifier } from './junk-identifiers.ts';

test('built-in junk identifiers are refused', () => {
  for (const junk of [
    'null',
    'NULL',
    'undefined',
    'anonymous',
    '0',
    '-1',
    '[object Object]',
    '',
    '   ',
    '0000',
    '----',
    '00000000-0000-0000-0000-000000000000',
  ]) {
    assert.equal(isJunkIdentifier(junk), true, `expected ${JSON.stringify(junk)} to be junk`);
  }
});

test('real identifiers pass', () => {
  for (const id of ['u_123', 'a8f5f167-f44f-4964-a6ad-12b8c4f1e0aa', 'cus_NffrFeUfNV2Hib', '10', 'x1']) {
    assert.equal(isJunkIdentifier(id), false, `expected ${id} to pass`);
  }
});

test('a configured regex adds junk values', () => {
  const extra = /^test-user-\d+$/;
  assert.equal(isJunkIdentifier('test-user-42', extra), true);
  assert.equal(isJunkIdentifier('user-42', extra), false);
});
