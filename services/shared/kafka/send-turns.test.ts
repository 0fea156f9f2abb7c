// sendTurns (producer.ts): the sends of several transactional producers in one queue, so two
// transactions' records lie in one order in every topic both write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sendTurns } from './producer.ts';

test('each turn starts once the one queued before it ended, a failed one included', async () => {
  const turn = sendTurns();
  const log: string[] = [];
  let release = (): void => undefined;
  const first = turn(
    () =>
      new Promise<string>((resolve) => {
        log.push('first starts');
        release = () => {
          log.push('first ends');
          resolve('a');
        };
      }),
  );
  const failing = turn(async () => {
    log.push('second runs');
    throw new Error('send refused');
  });
  const third = turn(async () => {
    log.push('third runs');
    return 'c';
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ['first starts'], 'the others wait, however long the first takes');
  release();
  assert.equal(await first, 'a');
  await assert.rejects(failing, /send refused/);
  assert.equal(await third, 'c');
  assert.deepEqual(log, ['first starts', 'first ends', 'second runs', 'third runs']);
});
