import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countFlags } from './count-flags.ts';

const defaults = { runs: 1, messages: 100_000 };

test('count flags: defaults, then the values given', () => {
  assert.deepEqual(countFlags(defaults, 'u', []), defaults);
  assert.deepEqual(countFlags(defaults, 'u', ['--runs', '3', '--messages=5000']), {
    runs: 3,
    messages: 5000,
  });
});

test('count flags: an unknown flag, a missing value or a value that is not a positive integer stops it', () => {
  assert.throws(
    () => countFlags(defaults, 'the usage', ['--run', '3']),
    /Unknown option '--run'[\s\S]*usage: the usage/,
  );
  assert.throws(() => countFlags(defaults, 'u', ['--runs']), /argument missing/);
  for (const bad of ['three', '0', '-1', '2.5', ''])
    assert.throws(
      () => countFlags(defaults, 'u', [`--runs=${bad}`]),
      /--runs must be a positive integer/,
      bad,
    );
  assert.throws(() => countFlags(defaults, 'u', ['extra']), /positional/);
});
