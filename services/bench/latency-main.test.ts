// `make bench-latency`'s command line, without a stack: usage, and refusals before any work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const main = new URL('./latency-main.ts', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });

test('latency-main: --help prints its usage; no --rate is a usage error', () => {
  const help = run('--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: latency-main\.ts --rate EVENTS_PER_S/);
  const bare = run();
  assert.equal(bare.status, 2);
  assert.match(bare.stdout, /usage:/);
});

test('latency-main: unknown flags and bad values are refused before anything starts', () => {
  for (const [args, message] of [
    [['--rate', '3000', '--bogus'], /Unknown option '--bogus'/],
    [['--rate', '0'], /--rate 0: a positive number is required/],
    [['--rate=-5'], /--rate -5: a positive number is required/],
    [['--rate', '3000', '--topology', 'ring'], /--topology ring: single, partitioned or both/],
    [['--rate', '3000', '--variant', 'v=A'], /"A" is not KEY=VALUE/],
    [['--rate', '3000', '--warmup=-1'], /--warmup -1: seconds >= 0/],
  ] as const) {
    const result = run(...args);
    assert.equal(result.status, 1, `${args.join(' ')}: ${result.stdout}`);
    assert.match(result.stderr, message);
  }
});
