// What the ingest says of each raw partition's progress (source-progress.ts): the greatest event
// time sent, never lowered, and idle only once caught up and quiet for the idle timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceProgress, parseSource } from './source-progress.ts';

test('a batch reports the greatest event time so far; an older batch does not lower it', () => {
  const progress = new SourceProgress(10_000);
  assert.deepEqual(progress.afterBatch('raw.behavior', 2, 500, false, 0), {
    source: 'raw.behavior/2',
    eventTime: 500,
    idle: false,
  });
  assert.equal(progress.afterBatch('raw.behavior', 2, 300, false, 1).eventTime, 500);
  assert.equal(progress.afterBatch('raw.behavior', 2, null, false, 2).eventTime, 500, 'all dead-lettered');
});

test('idle once caught up and nothing arrived for the timeout, announced once; a new batch wakes it', () => {
  const progress = new SourceProgress(10_000);
  progress.afterBatch('t', 0, 100, false, 0);
  progress.afterBatch('t', 1, 200, true, 0);
  assert.deepEqual(progress.idleDue(5_000), [], 'not quiet for long enough yet');
  assert.deepEqual(
    progress.idleDue(20_000),
    [{ source: 't/1', eventTime: 200, idle: true }],
    'partition 0 has a backlog',
  );
  progress.markIdle('t/1');
  assert.deepEqual(progress.idleDue(30_000), [], 'announced once');
  progress.afterBatch('t', 1, 300, true, 40_000);
  assert.deepEqual(progress.idleDue(45_000), []);
  assert.deepEqual(progress.idleDue(50_000), [{ source: 't/1', eventTime: 300, idle: true }]);
});

test('partitions no longer owned are forgotten; sources parse back with dotted topic names', () => {
  const progress = new SourceProgress(1);
  progress.afterBatch('a.b', 0, 1, true, 0);
  progress.afterBatch('a.b', 1, 1, true, 0);
  progress.retain({ 'a.b': [1] });
  assert.deepEqual(
    progress.idleDue(10).map((m) => m.source),
    ['a.b/1'],
  );
  assert.deepEqual(parseSource('a.b/12'), { topic: 'a.b', partition: 12 });
});

test('owned partitions are registered from their lag: a backlog is announced pending once, a caught-up one turns idle', () => {
  const progress = new SourceProgress(10_000);
  progress.register('t', 0, false, 0);
  progress.register('t', 1, true, 0);
  progress.afterBatch('t', 2, 100, false, 0);
  const pending = progress.unannounced();
  assert.deepEqual(pending, [{ source: 't/0', eventTime: null, idle: false }], 'caught up: nothing said yet');
  assert.deepEqual(progress.unannounced(), [], 'once');
  progress.unannounce(pending);
  assert.equal(progress.unannounced().length, 1, 'again after the batch carrying them failed');
  assert.deepEqual(
    progress.idleDue(20_000).map((m) => m.source),
    ['t/1'],
    'the empty partition; the backlog stays pending',
  );
  progress.register('t', 2, true, 0);
  assert.equal(progress.afterBatch('t', 2, null, true, 1).eventTime, 100, 'a known partition is kept');
});

test('a partition offered as idle but with messages waiting at the broker is asked about again after another timeout', () => {
  const progress = new SourceProgress(1_000);
  progress.afterBatch('t', 0, 100, true, 0);
  assert.deepEqual(progress.idleDue(5_000), [{ source: 't/0', eventTime: 100, idle: true }]);
  progress.stillReading('t/0', 5_000);
  assert.deepEqual(progress.idleDue(5_500), [], 'busy, not quiet');
  // The broker's "not read to end" was the last batch's commit still in flight (it took longer than
  // the timeout) and no batch comes after it: the partition is offered again, and announced once
  // the broker says it is read to end. It was once left out for good (the journey's watermark
  // stood still).
  assert.deepEqual(progress.idleDue(6_000), [{ source: 't/0', eventTime: 100, idle: true }]);
  progress.stillReading('t/0', 6_000);
  progress.afterBatch('t', 0, 200, false, 6_500);
  assert.deepEqual(progress.idleDue(9_000), [], 'a batch short of the end: not idle');
  progress.afterBatch('t', 0, 250, true, 11_000);
  assert.deepEqual(progress.idleDue(12_500), [{ source: 't/0', eventTime: 250, idle: true }]);
});

test('a marker goes ahead of the first batch of each partition, and of its first after an idle announcement, not of the others', () => {
  const progress = new SourceProgress(10_000);
  progress.register('t', 0, true, 0);
  assert.deepEqual(
    progress.beforeBatch('t', 0),
    { source: 't/0', eventTime: null, idle: false },
    'registered caught up: nothing said yet, so the first events would come before any marker',
  );
  assert.deepEqual(progress.beforeBatch('t', 1), { source: 't/1', eventTime: null, idle: false }, 'unknown');
  progress.afterBatch('t', 0, 100, true, 0);
  assert.equal(progress.beforeBatch('t', 0), null, 'its marker is out');
  progress.unbatch('t', 0);
  assert.deepEqual(
    progress.beforeBatch('t', 0),
    { source: 't/0', eventTime: 100, idle: false },
    'again after the batch carrying it failed',
  );
  progress.afterBatch('t', 0, 200, true, 0);
  progress.markIdle('t/0');
  assert.deepEqual(
    progress.beforeBatch('t', 0),
    { source: 't/0', eventTime: 200, idle: false },
    'awake before its new events',
  );
  progress.afterBatch('t', 0, 300, true, 1);
  assert.equal(progress.beforeBatch('t', 0), null);
});
