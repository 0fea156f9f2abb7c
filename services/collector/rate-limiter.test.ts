import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limiter.ts';

test('token bucket: bursts of twice the rate, refilled over time, per caller; 0 is unlimited', () => {
  const limiter = new RateLimiter(2);
  const t0 = 1_000_000;
  assert.deepEqual(
    [1, 2, 3, 4].map(() => limiter.take('a', t0)),
    [0, 0, 0, 0],
  );
  assert.equal(limiter.take('a', t0), 1, 'the fifth in the same instant waits a second');
  assert.equal(limiter.take('b', t0), 0, 'another caller has its own bucket');
  assert.equal(limiter.take('a', t0 + 500), 0, 'half a second refills one');
  assert.equal(limiter.take('a', t0 + 500), 1);
  assert.equal(limiter.take('a', t0 + 60_000), 0, 'a long pause refills up to the burst only');
  const unlimited = new RateLimiter(0);
  assert.ok(Array.from({ length: 1000 }, () => unlimited.take('a', t0)).every((w) => w === 0));
});
