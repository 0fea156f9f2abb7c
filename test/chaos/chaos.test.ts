// The reduced fault-injection suite inside `make test` (issue #14; `make chaos` runs the full one):
// against the real stack, on the default topology (the journey partitioned by account: ingest,
// route and state as separate processes), kill -9 of the ingest, the route and the journey's state
// step, ClickHouse stopped, the broker restarted and an owner of the journey's or the ingest's
// partition stalled past its session while a standby takes over (a zombie) each leave every
// event stored exactly once, no duplicate in any output topic, nothing valid dead-lettered and the
// stage state of an undisturbed run; the negative controls (dedup off, offsets committed before the
// ClickHouse insert) must fail those same checks. The zombie ingest and its control (fenced by
// instance) run in `make chaos`; test/integration/partition-fencing.test.ts shows its fence in make test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, runSuite } from '../../services/chaos/chaos-main.ts';
import { passes } from '../../services/chaos/chaos-run.ts';

test('reduced chaos: every fault survived exactly once; every negative control caught', async () => {
  // The full suite's faults but three, to keep `make test` short: three journey instances joining
  // and leaving (test/integration/journey-rebalance.test.ts covers it in-process), the registry
  // unreachable (services/ingest/lookup-registry-schema.test.ts: a network error or 5xx is a retry)
  // and a zombie ingest (test/integration/partition-fencing.test.ts: the stalled owner of a raw
  // partition is fenced by the partition's transactional id); `make chaos` runs all three as
  // processes.
  const result = await runSuite(
    'reduced',
    [
      'kill9',
      'clickhouse_down',
      'broker_restart',
      'zombie_journey',
      'control_dedup_off',
      'control_commit_first',
    ],
    (line) => console.log(line),
  );
  console.log(`\n${formatTable(result.figures)}`);
  const failures = result.figures
    .filter((f) => !f.scenario.startsWith('control_') && !passes(f))
    .map(
      (f) =>
        `${f.scenario}: lost ${f.lost}, duplicated ${f.duplicated}, topic dups ${f.topicDuplicates}, dead-lettered ${f.deadLettered}, state diffs ${f.stateDiffs} ${f.notes.join('; ')}`,
    );
  assert.deepEqual(failures, []);
  const blind = result.figures
    .filter((f) => f.scenario.startsWith('control_') && passes(f))
    .map((f) => f.scenario);
  assert.deepEqual(blind, [], 'a negative control passed: the checks cannot see what it breaks');
  assert.equal(result.figures.filter((f) => f.scenario.startsWith('control_')).length, 2);
});
