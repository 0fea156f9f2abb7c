import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExclusiveTurns } from './exclusive-turns.ts';

/** A piece of work that logs its start and ends when told. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let started!: () => void;
  const hasStarted = new Promise<void>((resolve) => (started = resolve));
  return {
    work: async () => {
      log.push(`start ${name}`);
      started();
      await opened;
      log.push(`end ${name}`);
      if (name.startsWith('fail')) throw new Error(name);
    },
    open,
    hasStarted,
  };
}

const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

test('exclusive turns: shared work runs side by side, exclusive work alone and in order', async () => {
  const turns = new ExclusiveTurns();
  const log: string[] = [];
  const a = gate(log, 'a');
  const b = gate(log, 'b');
  const x = gate(log, 'x');
  const c = gate(log, 'c');
  const pa = turns.shared(a.work);
  const pb = turns.shared(b.work);
  await Promise.all([a.hasStarted, b.hasStarted]);
  const px = turns.exclusive(x.work);
  const pc = turns.shared(c.work);
  await ticks();
  assert.deepEqual(log, ['start a', 'start b'], 'x waits for a and b; c waits for x');
  b.open();
  await pb;
  await ticks();
  assert.deepEqual(log, ['start a', 'start b', 'end b'], 'x still waits for a');
  a.open();
  await x.hasStarted;
  await ticks();
  assert.deepEqual(log.slice(3), ['end a', 'start x'], 'c has not started beside x');
  x.open();
  await c.hasStarted;
  c.open();
  await Promise.all([pa, px, pc, turns.idle()]);
  assert.deepEqual(log.slice(5), ['end x', 'start c', 'end c']);
});

test('exclusive turns: a failure settles its turn and stops nothing after it', async () => {
  const turns = new ExclusiveTurns();
  const log: string[] = [];
  const f = gate(log, 'fail-shared');
  const g = gate(log, 'fail-exclusive');
  const h = gate(log, 'h');
  const pf = turns.shared(f.work);
  const pg = turns.exclusive(g.work);
  const ph = turns.shared(h.work);
  f.open();
  await assert.rejects(pf, /fail-shared/);
  g.open();
  await assert.rejects(pg, /fail-exclusive/);
  h.open();
  await ph;
  await turns.idle();
  assert.deepEqual(log, [
    'start fail-shared',
    'end fail-shared',
    'start fail-exclusive',
    'end fail-exclusive',
    'start h',
    'end h',
  ]);
});
