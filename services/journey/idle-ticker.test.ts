import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdleTicker } from './idle-ticker.ts';
import type { Logger } from '../shared/telemetry/logger.ts';

const recorder = (): { log: Logger; errors: string[] } => {
  const errors: string[] = [];
  return {
    errors,
    log: { error: (_: unknown, message: string) => errors.push(message) } as unknown as Logger,
  };
};

test('the idle ticker ticks every idle period (at most 30 s), logs a failed tick and goes on, stops', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const { log, errors } = recorder();
  let ticks = 0;
  const ticker = startIdleTicker(
    60_000,
    async () => {
      ticks++;
      if (ticks === 2) throw new Error('broker away');
    },
    log,
    'tick failed',
  );
  t.mock.timers.tick(29_999);
  assert.equal(ticks, 0);
  t.mock.timers.tick(1);
  assert.equal(ticks, 1);
  t.mock.timers.tick(30_000);
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.equal(ticks, 2);
  assert.deepEqual(errors, ['tick failed']);
  ticker.stop();
  t.mock.timers.tick(120_000);
  assert.equal(ticks, 2);
});

test('no idle period, no ticker', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  let ticks = 0;
  startIdleTicker(0, async () => void ticks++, recorder().log, 'x').stop();
  t.mock.timers.tick(3_600_000);
  assert.equal(ticks, 0);
});
