// Person and account ids are persisted everywhere (state, ClickHouse, other stages): these golden
// values fail if the derivation ever changes, which would split every person on the next replay.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountIdFor, fnv32, personIdFor, tombstoneHashFor } from './identity-hash.ts';

describe('identity hashes', () => {
  it('derive the same ids as ever', () => {
    assert.equal(personIdFor('a:a1'), 'p_26f035cf958b598355b34fde');
    assert.equal(personIdFor('u:u1'), 'p_a98564cbefeb7fdb199dc7ec');
    assert.equal(accountIdFor('acme'), 'acc_fa1254c29970514b1f16c370');
    assert.match(tombstoneHashFor('u:u1'), /^[0-9a-f]{32}$/);
    assert.equal(fnv32(''), 0x811c9dc5);
    assert.equal(fnv32('a'), 0xe40c292c);
  });

  it('separate namespaces: the same text gives different person, account and tombstone hashes', () => {
    const person = personIdFor('x').slice(2);
    const account = accountIdFor('x').slice(4);
    assert.notEqual(person, account);
    assert.notEqual(tombstoneHashFor('x').slice(0, 24), person);
  });
});
