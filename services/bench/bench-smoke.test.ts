// The harness's own test: `make bench --quick --partitioned 1` against the local stack, checking that the report
// holds every figure with the right shape. Times are never asserted (the machine is shared).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBench } from './bench-main.ts';
import type { RunSummary } from './bench-stats.ts';

const stack = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'CLICKHOUSE_URL'].every((name) => process.env[name]);

const isSummary = (s: RunSummary | undefined): boolean =>
  s !== undefined && ['median', 'min', 'max', 'runs'].every((k) => k in s);

test(
  'bench --quick writes a report with every figure',
  { skip: stack ? false : 'needs the local stack (make test exports .local/stack.env)', timeout: 300_000 },
  async (t) => {
    const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    t.after(() => rmSync(out, { recursive: true, force: true }));
    const report = await runBench(
      ['--quick', '--events', '2000', '--latency-seconds', '2', '--partitioned', '1', '--out', out],
      { ...process.env, BENCH_LOG_LEVEL: 'silent' },
      () => undefined,
    );
    assert.ok(existsSync(join(out, 'report.json')) && existsSync(join(out, 'summary.txt')));
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as typeof report;
    assert.equal(json.runs.length, 1);
    const f = report.figures;
    for (const consumer of ['B0', 'B1', 'B2', 'B3', 'B4', 'ours']) {
      assert.ok(isSummary(f.throughputEventsPerSecond[consumer]), consumer);
      assert.ok(f.throughputEventsPerSecond[consumer]!.median > 0, `${consumer} drained something`);
    }
    assert.ok(isSummary(f.ratios.ours_over_B1));
    // The topology's I/O alone beside it: a process per hop, each with its CPU.
    for (const ratio of ['B3_over_B1', 'B4_over_B1', 'ours_over_B3'])
      assert.ok(isSummary(f.ratios[ratio]), ratio);
    assert.deepEqual(
      Object.keys(f.cpuSecondsPer1kEvents.B4!).filter((c) => c.startsWith('hop')),
      ['hop1', 'hop2', 'hop3'],
    );
    assert.match(report.targets[0]!.value, /the topology's I\/O alone, B3 \/ B1: [\d.]+\)$/);
    assert.ok(isSummary(f.maxSustainedEventsPerSecond));
    for (const component of ['ingest', 'journey', 'node_total'])
      assert.ok(isSummary(f.cpuSecondsPer1kEvents.ours![component]), component);
    for (const q of ['p50', 'p95', 'p99']) {
      assert.ok(isSummary(f.latencyAt50PercentMs.ack[q]), `ack ${q}`);
      assert.ok(isSummary(f.latencyAt50PercentMs.probe[q]), `probe ${q}`);
    }
    assert.ok(f.latencyAt50PercentMs.ack.samples!.median > 0, 'insert acknowledgements were sampled');
    // Where the latency goes, per hop: the single writer has two, the partitioned topology three.
    assert.deepEqual(Object.keys(f.latencyAt50PercentMs.hops), [
      'ingest p50',
      'ingest p99',
      'journey p50',
      'journey p99',
    ]);
    for (const s of Object.values(f.latencyAt50PercentMs.hops))
      assert.ok(s.median >= 0, 'hop latency measured');
    for (const k of ['recovery_seconds', 'theory_seconds', 'recovery_over_theory', 'lost_events'])
      assert.ok(isSummary(f.burst[k]), k);
    assert.deepEqual(
      f.memory.identityGraph.map((m) => m.shape),
      ['known', 'anonymous'],
    );
    assert.ok(f.memory.journeyProcess.identifiers!.median > 0);
    assert.ok(f.memory.stages.identifiers > 0 && f.memory.stages.bytesPerState > 0, 'stage memory measured');
    assert.ok(f.memory.accountStateBytes.max!.median > 0);
    assert.ok(isSummary(f.inserts.journey_events?.rowsPerInsert), 'journey_events inserts');
    assert.ok(isSummary(f.eventLoopDelayP99Ms.journey_drain));
    assert.ok(Object.keys(f.dashboardQueryMs).length >= 20, 'every documented dashboard query timed');
    assert.deepEqual(
      report.runs[0]!.dashboard.filter((q) => q.error !== null),
      [],
    );
    // Nothing lost: every distinct valid event of the drain is in ClickHouse.
    assert.equal(f.loss.drain_lost_events!.max, 0);
    // The partitioned topology beside it (--partitioned 1): its drain, CPU per process, and the
    // paced phases with their own insert acknowledgements (the state process's).
    const p = f.partitioned!;
    assert.ok(p.drains['1 state']!.eventsPerSecond.median > 0, 'partitioned drained something');
    assert.ok(isSummary(p.drains['1 state']!.ratios.over_B1));
    assert.ok(isSummary(p.drains['1 state']!.ratios.over_B4));
    for (const role of ['ingest', 'route', 'state-0'])
      assert.ok(isSummary(p.drains['1 state']!.cpuPer1k[role]), `partitioned CPU ${role}`);
    // Once ready, per 1k of its own messages: a figure only if the state process handled some.
    assert.ok(p.drains['1 state']!.stateCpuPer1kOwn['state-0']!.median > 0, 'state CPU per own message');
    assert.ok(p.drains['1 state']!.inserts.per_1k_messages!.median > 0, 'partitioned inserts counted');
    assert.ok(p.drains['1 state']!.inserts.journey_events_rows_per_insert!.median >= 1);
    assert.ok(p.paced!.latencyAt50PercentMs.ack.samples!.median > 0, 'partitioned acknowledgements sampled');
    assert.deepEqual(
      Object.keys(p.paced!.latencyAt50PercentMs.hops).filter((k) => k.endsWith('p99')),
      ['ingest p99', 'route p99', 'journey p99'],
    );
    for (const s of Object.values(p.paced!.latencyAt50PercentMs.hops))
      assert.ok(s.median >= 0, 'partitioned hop measured');
    assert.ok(isSummary(p.paced!.burst.recovery_over_theory));
    assert.equal(p.paced!.burst.lost_events!.max, 0, 'nothing lost in the partitioned burst');
    assert.equal(report.targets.length, 14);
  },
);
