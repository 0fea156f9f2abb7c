import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lagOf, readToEnd } from './group-positions.ts';

const at = (committed: string, low: string, high: string) => ({ committed, low, high });

test('read to the end: the committed offset at the broker end; no commit reads from the start', () => {
  assert.equal(readToEnd(at('10', '0', '10')), true);
  assert.equal(
    readToEnd(at('10', '0', '11')),
    false,
    'one offset short: a message, or a marker not committed past',
  );
  assert.equal(readToEnd(at('10', '0', '12')), false);
  assert.equal(readToEnd(at('-1', '0', '0')), true, 'empty');
  assert.equal(readToEnd(at('-1', '40', '40')), true, 'emptied by retention');
  assert.equal(readToEnd(at('-1', '0', '5')), false);
});

test('lag: the end minus the committed offset; no commit counts from the start', () => {
  assert.equal(lagOf(at('10', '0', '25')), 15);
  assert.equal(lagOf(at('10', '0', '11')), 1, 'one offset short');
  assert.equal(lagOf(at('10', '0', '10')), 0);
  assert.equal(lagOf(at('-1', '40', '100')), 60);
  assert.equal(lagOf(at('-1', '0', '0')), 0);
});
