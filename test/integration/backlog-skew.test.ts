// Issue #15, item 3: a backlog must not corrupt the stages. The same generated workload waits as a
// backlog in one raw partition per topic, and in six: the ingest drains the six one after another
// (a fetch takes a partition's whole backlog), so the canonical topic carries one raw partition's
// five weeks before the next one's first day. With the watermark the least over the inputs
// (input-watermarks.ts) both runs end in the same account stages, stage entry times and
// transitions, and no event is read behind the watermark. (Before, the watermark followed the
// greatest event time read — and also the first events of a stream, before its first marker —
// and most skewed accounts went at risk and came back.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { createMetrics } from '../../services/shared/telemetry/metrics.ts';
import { startIngestService } from '../../services/ingest/ingest-service.ts';
import { startJourneyService } from '../../services/journey/journey-service.ts';
import { allInputsIdle, markersSeen } from '../../services/journey/input-watermarks.ts';
import { produceWorkload } from '../../services/workload/produce-workload.ts';
import { freshPipeline } from '../support/pipeline.ts';
import { groupSettled, waitFor } from '../support/stack.ts';

const DAY = 86_400_000;

async function drainBacklog(partitions: number, endMs: number) {
  const { config } = await freshPipeline({
    TOPIC_PARTITIONS: String(partitions),
    // No wall-clock tick: time moves by the data alone, so both runs end at the same watermark.
    JOURNEY_IDLE_TICK_SECONDS: '0',
    // The single writer's replay filter across raw partitions (the stages alike in both topologies).
    JOURNEY_TOPOLOGY: 'single',
    // Raw partitions' batches at once: the batch carrying the pending markers must commit before
    // any other sends (this test failed without that wait: events read before any marker).
    INGEST_PARTITIONS_CONCURRENTLY: '4',
  });
  const produced = await produceWorkload(config, { profile: 'tiny', seed: 15, endMs, batchSize: 200 });
  const log = createLogger('silent');
  const metrics = createMetrics(false);
  const journey = await startJourneyService(config, log, metrics);
  const ingest = await startIngestService(config, log, createMetrics(false));
  const raw = [config.TOPIC_BEHAVIOR, config.TOPIC_TICKETS, config.TOPIC_SURVEYS, config.TOPIC_BILLING];
  try {
    await waitFor(
      `the ${partitions}-partition backlog drained and every raw partition idle`,
      async () =>
        (await groupSettled(config.INGEST_GROUP_ID, raw)) &&
        markersSeen(journey.state.accounts.inputs) &&
        allInputsIdle(journey.state.accounts.inputs) &&
        (await groupSettled(config.JOURNEY_GROUP_ID, [config.TOPIC_CANONICAL]))
          ? true
          : undefined,
      240_000,
      250,
    );
    const clickhouse = createClickHouse(config);
    try {
      const rows = await (
        await clickhouse.query({
          query:
            "SELECT account_key, from_stage, to_stage, toString(at) AS at, reason FROM stage_transitions FINAL WHERE account_key LIKE 'acc_%' ORDER BY account_key, at, to_stage",
          format: 'JSONEachRow',
        })
      ).json<Record<string, string>>();
      const stages = Object.fromEntries(
        [...journey.state.accounts.states]
          .filter(([, s]) => s.kind === 'account')
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, s]) => [key, { stage: s.stage, entries: s.stageEntries }]),
      );
      const records = (await metrics.records.get()).values;
      const late =
        records.find((v) => v.labels.stage === 'journey' && v.labels.result === 'late')?.value ?? 0;
      return {
        sent: produced.sent,
        late,
        watermark: journey.state.accounts.watermark,
        stages,
        transitions: rows.map((r) => `${r.account_key} ${r.at} ${r.from_stage}->${r.to_stage} (${r.reason})`),
      };
    } finally {
      await clickhouse.close();
    }
  } finally {
    await ingest.stop();
    await journey.stop();
  }
}

test('the same workload as a backlog in 1 raw partition and in 6 skewed ones: the same stages and transitions', async () => {
  const endMs = Math.floor(Date.now() / DAY) * DAY;
  const single = await drainBacklog(1, endMs);
  const skewed = await drainBacklog(6, endMs);
  assert.equal(skewed.sent, single.sent);
  const accounts = Object.keys(single.stages);
  assert.ok(accounts.length >= 20, 'the accounts of the workload');
  assert.ok(single.transitions.length > 40, `transitions: ${single.transitions.length}`);
  assert.equal(skewed.watermark, single.watermark, 'time ended at the same point');
  // The watermark never passed an event still on its way, however the partitions interleaved.
  assert.equal(skewed.late, 0, 'no event behind the watermark in the skewed backlog');
  assert.equal(single.late, 0, 'nor in one partition');
  assert.deepEqual(skewed.stages, single.stages);
  assert.deepEqual(skewed.transitions, single.transitions);
});
