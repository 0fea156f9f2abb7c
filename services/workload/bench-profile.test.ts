// The bench profile streams: its first 200k messages come in bounded memory (users are derived
// lazily, never materialised) with the specified mix per 1,000 events.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { generateHistory } from './generate-workload.ts';
import { T0 } from './workload-test-kit.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Live heap (after a full collection), not garbage awaiting collection. */
function liveHeap(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

test('bench: first 200k messages in bounded memory with the specified mix', () => {
  const before = liveHeap();
  const workload = generateHistory('bench', 42, T0);
  const counts = { behavior: 0, identity: 0, voice: 0, billing: 0, late: 0, duplicate: 0, malformed: 0 };
  const hot = new Map<string, boolean>();
  let sampledHot = 0;
  let sampledAll = 0;
  let n = 0;
  let peak = 0;
  for (const m of workload.messages) {
    n++;
    if (m.malformed) counts.malformed++;
    else if (m.duplicate) counts.duplicate++;
    else {
      if (m.late) counts.late++;
      if (m.topic === 'billing') counts.billing++;
      else if (m.topic !== 'behavior') counts.voice++;
      else if (['identify', 'group', 'alias'].includes((m.value as { type: string }).type)) counts.identity++;
      else counts.behavior++;
    }
    if (n % 50_000 === 0) {
      peak = Math.max(peak, liveHeap() - before);
      if (hot.size === 0) for (const [id, a] of Object.entries(workload.truth().accounts)) hot.set(id, a.hot);
    }
    if (hot.has(m.key)) {
      sampledAll++;
      if (hot.get(m.key)) sampledHot++;
    }
    if (n === 200_000) break;
  }
  // 100k accounts of state (~1.4 KB each) plus the time queue; users are never stored.
  assert.ok(peak < 300e6, `live heap grew by ${Math.round(peak / 1e6)} MB`);
  const per1000 = (k: keyof typeof counts): number => (1000 * counts[k]) / n;
  const near = (k: keyof typeof counts, target: number, tolerance: number): void =>
    assert.ok(
      Math.abs(per1000(k) - target) <= tolerance,
      `${k}: ${per1000(k).toFixed(1)} per 1000, target ${target}`,
    );
  near('behavior', 820, 40);
  near('identity', 60, 20);
  near('voice', 60, 20);
  near('billing', 60, 20);
  near('late', 10, 4);
  near('duplicate', 5, 2);
  near('malformed', 1, 0.6);
  const hotShare = sampledHot / sampledAll;
  assert.ok(hotShare > 0.15 && hotShare < 0.45, `hot accounts carry ${hotShare} of the sampled traffic`);
});
