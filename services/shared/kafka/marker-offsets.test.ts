import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MarkerCommitter, MarkerOffsets } from './marker-offsets.ts';
import type { MarkerCommit } from './marker-offsets.ts';

const pending = (m: MarkerOffsets): string[] =>
  m.pending().map((c) => `${c.topic}/${c.partition}@${c.offset}`);

test('the tail of a committed batch past its last message is committed past', () => {
  const m = new MarkerOffsets();
  m.batchCommitted('t', 0, 10n, 10n);
  assert.deepEqual(pending(m), [], 'a batch that ends on its last message: nothing to skip');
  m.batchCommitted('t', 0, 20n, 22n);
  assert.deepEqual(pending(m), ['t/0@22']);
  m.markCommitted(m.pending());
  assert.deepEqual(pending(m), []);
});

test('a fetch of markers alone is skipped only where the committed records end', () => {
  const m = new MarkerOffsets();
  m.batchCommitted('t', 0, 5n, 5n);
  m.filteredFetch('t', 0, 7n, 8n);
  assert.deepEqual(pending(m), [], 'a gap (records not processed) after the commit: never skipped');
  m.filteredFetch('t', 0, 5n, 6n);
  m.filteredFetch('t', 0, 7n, 7n);
  assert.deepEqual(pending(m), ['t/0@8'], 'contiguous marker fetches chain');
  m.filteredFetch('t', 1, 5n, 6n);
  assert.deepEqual(pending(m), ['t/0@8'], 'per partition');
});

test('a batch committed while a marker commit was in flight wins; a rebalance forgets everything', () => {
  const m = new MarkerOffsets();
  m.batchCommitted('t', 0, 5n, 7n);
  const inFlight = m.pending();
  m.batchCommitted('t', 0, 9n, 9n);
  m.markCommitted(inFlight);
  assert.deepEqual(pending(m), []);
  m.filteredFetch('t', 0, 9n, 10n);
  assert.deepEqual(pending(m), ['t/0@11'], 'the batch, not the stale marker commit, is the base');
  m.clear();
  assert.deepEqual(pending(m), []);
});

test('after a rebalance: markers alone are skipped from where the broker says the group committed', () => {
  const m = new MarkerOffsets();
  m.filteredFetch('t', 0, 11n, 12n);
  m.filteredFetch('t', 0, 13n, 13n);
  assert.deepEqual(pending(m), [], 'nothing known to skip from yet');
  m.brokerCommitted('t', 0, 11n);
  assert.deepEqual(pending(m), ['t/0@14'], 'the fetches started at the committed offset');

  m.filteredFetch('t', 1, 11n, 12n);
  m.brokerCommitted('t', 1, 9n);
  assert.deepEqual(pending(m), ['t/0@14'], 'records 9-10 were not seen as markers: never skipped');

  m.brokerCommitted('t', 2, 20n);
  m.filteredFetch('t', 2, 20n, 21n);
  assert.deepEqual(pending(m).sort(), ['t/0@14', 't/2@22'], 'the reading first, the fetch after');

  m.batchCommitted('t', 3, 30n, 30n);
  m.brokerCommitted('t', 3, 25n);
  m.filteredFetch('t', 3, 30n, 31n);
  assert.deepEqual(
    pending(m).sort(),
    ['t/0@14', 't/2@22', 't/3@32'],
    "the member's own commit wins over a reading",
  );
  m.brokerCommitted('t', 4, -1n);
  m.filteredFetch('t', 4, 0n, 1n);
  assert.equal(pending(m).length, 3, 'no committed offset: nothing known');
});

test('the committer commits the markers of an idle partition, never of one with a batch in flight', async () => {
  let commit: (commits: readonly MarkerCommit[]) => void = () => undefined;
  const committed: string[] = [];
  const m = new MarkerCommitter(
    async (commits) => {
      committed.push(...commits.map((c) => `${c.topic}/${c.partition}@${c.offset}`));
      commit(commits);
    },
    (err) => assert.fail(String(err)),
    20,
  );
  try {
    await m.beforeBatch('t', 0);
    m.offsets.batchCommitted('t', 0, 5n, 5n);
    m.filteredFetch('t', 0, 5n, 6n);
    await m.beforeBatch('t', 1);
    m.offsets.batchCommitted('t', 1, 9n, 11n);
    m.afterBatch('t', 1);
    // Partition 0's batch is still in flight: only partition 1's markers go.
    await new Promise<readonly MarkerCommit[]>((resolve) => (commit = resolve));
    assert.deepEqual(committed, ['t/1@11']);
    m.afterBatch('t', 0);
    await new Promise<readonly MarkerCommit[]>((resolve) => (commit = resolve));
    assert.deepEqual(committed, ['t/1@11', 't/0@7']);
    await m.settled(); // the commit in flight settles
    assert.deepEqual(m.offsets.pending(), []);
  } finally {
    m.stop();
  }
});
