import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGroupCommitter } from './group-commit.ts';
import type { CommitRequest } from './group-commit.ts';
import type { ConsumedOffsets, OutboundMessage } from './producer.ts';

interface Call {
  messages: readonly OutboundMessage[];
  offsets: readonly ConsumedOffsets[];
  finish(err?: Error): void;
}

/** A producer whose transactions end when the test says so. */
function fakeProducer() {
  const calls: Call[] = [];
  return {
    calls,
    sendWithOffsets: (messages: readonly OutboundMessage[], offsets: unknown) =>
      new Promise<boolean>((resolve, reject) => {
        calls.push({
          messages,
          offsets: offsets as ConsumedOffsets[],
          finish: (err) => (err ? reject(err) : resolve(true)),
        });
      }),
  };
}

const request = (partition: number, stale = false): CommitRequest => ({
  messages: [{ topic: 'out', key: `k${partition}`, value: `v${partition}` }],
  offsets: { groupId: 'g', topic: 'in', partition, offset: String(10 + partition) },
  isStale: () => stale,
});

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('batches submitted in one turn share one transaction; later ones wait for the next', async () => {
  const producer = fakeProducer();
  const committer = createGroupCommitter(producer);
  const first = [0, 1, 2].map((p) => committer.commit(request(p)));
  await turn();
  assert.equal(producer.calls.length, 1);
  assert.deepEqual(
    producer.calls[0]!.offsets.map((o) => o.partition),
    [0, 1, 2],
  );
  assert.deepEqual(
    producer.calls[0]!.messages.map((m) => m.key),
    ['k0', 'k1', 'k2'],
  );
  // Submitted while the first transaction is in flight: held for the next one, together.
  const second = [3, 4].map((p) => committer.commit(request(p)));
  await turn();
  assert.equal(producer.calls.length, 1);
  producer.calls[0]!.finish();
  assert.deepEqual(await Promise.all(first), [true, true, true]);
  await turn();
  assert.equal(producer.calls.length, 2);
  assert.deepEqual(
    producer.calls[1]!.offsets.map((o) => o.partition),
    [3, 4],
  );
  producer.calls[1]!.finish();
  assert.deepEqual(await Promise.all(second), [true, true]);
});

test('a revoked partition is left out of the transaction and not committed', async () => {
  const producer = fakeProducer();
  const committer = createGroupCommitter(producer);
  const results = [committer.commit(request(0)), committer.commit(request(1, true))];
  await turn();
  assert.deepEqual(
    producer.calls[0]!.offsets.map((o) => o.partition),
    [0],
  );
  producer.calls[0]!.finish();
  assert.deepEqual(await Promise.all(results), [true, false]);
  // Only stale batches: no transaction at all.
  assert.equal(await committer.commit(request(2, true)), false);
  assert.equal(producer.calls.length, 1);
});

test('a failed transaction fails every batch in it; the next transaction is independent', async () => {
  const producer = fakeProducer();
  const committer = createGroupCommitter(producer);
  const failed = [0, 1].map((p) => committer.commit(request(p)));
  await turn();
  const next = committer.commit(request(2));
  const down = new Error('broker down');
  producer.calls[0]!.finish(down);
  for (const result of await Promise.allSettled(failed))
    assert.deepEqual(result, { status: 'rejected', reason: down });
  await turn();
  assert.equal(producer.calls.length, 2);
  producer.calls[1]!.finish();
  assert.equal(await next, true);
});
