import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_OPTIONS, parseBenchArgs } from './bench-options.ts';

test('no flags: the defaults (3 runs of the bench profile)', () => {
  assert.deepEqual(parseBenchArgs([]), { ok: true, options: DEFAULT_OPTIONS });
});

test('--quick shrinks sizes; explicit flags still win', () => {
  const parsed = parseBenchArgs(['--quick', '--events', '5000', '--cpu-prof']);
  assert.ok(parsed.ok);
  assert.equal(parsed.options.events, 5000);
  assert.equal(parsed.options.runs, 1);
  assert.equal(parsed.options.cpuProf, true);
  assert.equal(parsed.options.quick, true);
});

test('every bad flag is reported at once', () => {
  const parsed = parseBenchArgs(['--events', 'many', '--runs', '0', '--bogus', '--profile']);
  assert.equal(parsed.ok, false);
  assert.ok(!parsed.ok);
  assert.equal(parsed.problems.length, 4);
  assert.match(parsed.problems.join('\n'), /--events: an integer >= 1 is required, got many/);
  assert.match(parsed.problems.join('\n'), /unknown flag --bogus/);
});

test('--partitioned N adds the partitioned topology with 1..N state processes; 0 and none leave it out', () => {
  const parsed = parseBenchArgs(['--partitioned', '2']);
  assert.ok(parsed.ok);
  assert.equal(parsed.options.partitioned, 2);
  assert.equal(DEFAULT_OPTIONS.partitioned, 0);
  assert.equal(parseBenchArgs(['--partitioned', '-1']).ok, false);
});
