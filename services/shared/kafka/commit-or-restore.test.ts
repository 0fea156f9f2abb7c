// A single writer's batch that does not commit leaves its state marked for a restore; a failure also
// lets the producer go (the next batch's new one fences), and is rethrown so the batch is redelivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../telemetry/logger.ts';
import { commitOrRestore } from './commit-or-restore.ts';

function writer() {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as { level: number; msg: string });
      done();
    },
  });
  const calls = { restore: 0, release: 0 };
  const on = {
    restore: () => void calls.restore++,
    releaseProducer: () => void calls.release++,
    log: createLogger('info', sink),
    partition: 3,
    revoked: 'links partition',
    restored: 'the graph',
  };
  return { on, calls, lines };
}

test('committed: nothing to restore', async () => {
  const { on, calls, lines } = writer();
  assert.equal(await commitOrRestore(async () => true, on), true);
  assert.deepEqual(calls, { restore: 0, release: 0 });
  assert.equal(lines.length, 0);
});

test('revoked: the state is restored before the next batch, the producer kept', async () => {
  const { on, calls, lines } = writer();
  assert.equal(await commitOrRestore(async () => false, on), false);
  assert.deepEqual(calls, { restore: 1, release: 0 });
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['links partition revoked; batch not committed'],
  );
});

test('failed: restored, the producer let go, the error rethrown', async () => {
  const { on, calls, lines } = writer();
  await assert.rejects(
    commitOrRestore(async () => {
      throw new Error('broker gone');
    }, on),
    /broker gone/,
  );
  assert.deepEqual(calls, { restore: 1, release: 1 });
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg]),
    [[50, 'batch failed; not committed, the graph is restored before the redelivery']],
  );
});
