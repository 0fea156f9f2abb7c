import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuSecondsOfStat, cpuSpent, processCpuSeconds } from './measure-cpu.ts';

test('cpuSecondsOfStat reads utime + stime, even with spaces and parentheses in the command', () => {
  const stat = '4242 (Main (x) Thread) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 130 0 0 20 0 30 0 1234';
  assert.equal(cpuSecondsOfStat(stat), 3.8);
});

test('processCpuSeconds of this process grows with work; a missing pid is null', () => {
  const before = processCpuSeconds(process.pid);
  assert.ok(before !== null);
  const until = Date.now() + 60;
  while (Date.now() < until); // busy
  assert.ok(processCpuSeconds(process.pid)! >= before);
  assert.equal(processCpuSeconds(2 ** 30), null);
});

test('cpuSpent leaves out components missing from either snapshot', () => {
  assert.deepEqual(cpuSpent({ kafka: 1, clickhouse: 2 }, { kafka: 4, registry: 9 }), { kafka: 3 });
});
