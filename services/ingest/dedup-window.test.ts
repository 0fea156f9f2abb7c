import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DedupWindow } from './dedup-window.ts';
import { dropDuplicateStep } from './drop-duplicate-step.ts';
import { TEST_CONFIG, loadFixture, metaAt } from './fixtures/load-fixture.ts';
import type { NormalisedEvent } from './ingest-config.ts';
import { normaliseBehaviorStep } from './normalise-behavior-step.ts';

describe('DedupWindow', () => {
  it('recognises a redelivery inside the window', () => {
    const w = new DedupWindow({ maxEntries: 10, maxAgeMs: 1000 });
    assert.equal(w.checkAndRemember('a', 0), false);
    assert.equal(w.checkAndRemember('a', 999), true);
    assert.equal(w.checkAndRemember('b', 999), false);
  });

  it('forgets ids older than maxAgeMs (measured from first sight)', () => {
    const w = new DedupWindow({ maxEntries: 10, maxAgeMs: 1000 });
    w.checkAndRemember('a', 0);
    assert.equal(w.checkAndRemember('a', 500), true);
    assert.equal(w.checkAndRemember('a', 1000), false, 'expired at exactly maxAgeMs, seen anew');
    assert.equal(w.size, 1);
  });

  it('evicts the oldest beyond maxEntries', () => {
    const w = new DedupWindow({ maxEntries: 2, maxAgeMs: 1e9 });
    w.checkAndRemember('a', 1);
    w.checkAndRemember('b', 2);
    w.checkAndRemember('c', 3);
    assert.equal(w.size, 2);
    assert.equal(w.checkAndRemember('b', 4), true);
    assert.equal(w.checkAndRemember('a', 5), false);
  });

  it('a timestamp going backwards does not break eviction (clock is monotonic)', () => {
    const w = new DedupWindow({ maxEntries: 10, maxAgeMs: 100 });
    w.checkAndRemember('a', 1000);
    w.checkAndRemember('b', 10);
    assert.equal(w.checkAndRemember('b', 1050), true, 'b was stamped 1000, not 10');
    assert.equal(w.checkAndRemember('a', 1100), false);
  });

  it('rejects nonsensical options', () => {
    assert.throws(() => new DedupWindow({ maxEntries: 0, maxAgeMs: 1 }), RangeError);
    assert.throws(() => new DedupWindow({ maxEntries: 1, maxAgeMs: Number.NaN }), RangeError);
  });

  it('property: never holds more than maxEntries, and agrees with a naive model', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(
          fc.tuple(
            fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'),
            fc.integer({ min: 0, max: 10 }),
          ),
          { maxLength: 200 },
        ),
        (maxEntries, maxAgeMs, steps) => {
          const w = new DedupWindow({ maxEntries, maxAgeMs });
          let clock = 0;
          let model: Array<[string, number]> = []; // insertion-ordered [id, firstSeen]
          for (const [id, dt] of steps) {
            clock += dt;
            model = model.filter(([, seen]) => seen > clock - maxAgeMs);
            const expected = model.some(([m]) => m === id);
            if (!expected) {
              model.push([id, clock]);
              if (model.length > maxEntries) model.shift();
            }
            assert.equal(w.checkAndRemember(id, clock), expected);
            assert.ok(w.size <= maxEntries);
          }
        },
      ),
    );
  });
});

describe('dropDuplicateStep', () => {
  it('passes the first delivery and drops the redelivery as duplicate', () => {
    const fixture = loadFixture('segment-track.json');
    const normalised = normaliseBehaviorStep(fixture, metaAt(String(fixture['receivedAt'])), TEST_CONFIG);
    const value = (normalised as { kind: 'ok'; value: NormalisedEvent }).value;
    const w = new DedupWindow({ maxEntries: 100, maxAgeMs: 60_000 });
    assert.equal(dropDuplicateStep(w, value, 1).kind, 'ok');
    assert.deepEqual(dropDuplicateStep(w, value, 2), { kind: 'drop', reason: 'duplicate' });
  });

  it('passes a message re-fed by replay-dlq even when its id is remembered, and remembers it', () => {
    const fixture = loadFixture('segment-track.json');
    const normalised = normaliseBehaviorStep(fixture, metaAt(String(fixture['receivedAt'])), TEST_CONFIG);
    const value = (normalised as { kind: 'ok'; value: NormalisedEvent }).value;
    const w = new DedupWindow({ maxEntries: 100, maxAgeMs: 60_000 });
    w.checkAndRemember(value.event.event_id, 1); // e.g. a window warmed with today's limits
    assert.equal(dropDuplicateStep(w, value, 2, true).kind, 'ok');
    assert.deepEqual(dropDuplicateStep(w, value, 3), { kind: 'drop', reason: 'duplicate' });
  });
});
