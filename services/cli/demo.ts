// `make demo`: the main job on the local stack. Fresh topics and a fresh ClickHouse database per
// run, every stage started in this process, a seeded synthetic workload produced with a progress
// bar, a wait until every message is processed (counted in ClickHouse), then the journey report.
// The stack keeps running afterwards for exploration.
import type { CommandContext } from './command-spec.ts';
import { loadConfig } from '../shared/config/config.ts';
import type { PipelineConfig } from '../shared/config/config.ts';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import { ensureTopics } from '../shared/kafka/topics.ts';
import { openDemoLog } from './demo-log.ts';
import { createMetrics } from '../shared/telemetry/metrics.ts';
import { startIngestService } from '../ingest/ingest-service.ts';
import { migrate } from '../sink/migrate.ts';
import { produceWorkload } from '../workload/produce-workload.ts';
import { sendLiveTraffic } from './demo-live.ts';
import type { LiveTraffic } from './demo-live.ts';
import { pipelineTopics, prefixedTopicEnv } from '../shared/kafka/pipeline-topics.ts';
import { printJourneyReport } from './journey-report.ts';
import { startDemoStages } from './demo-stages.ts';
import { progressBar } from './terminal-table.ts';

export function demoConfig(base: PipelineConfig, runId: string): PipelineConfig {
  const prefix = `demo.${runId}`;
  return loadConfig({
    ...process.env,
    PII_HMAC_KEY: base.PII_HMAC_KEY,
    ...prefixedTopicEnv(prefix),
    CLICKHOUSE_DATABASE: process.env.CLICKHOUSE_DATABASE ?? 'journey_demo',
    // The raw partitions are announced idle soon after the workload ends: the report waits for it.
    INGEST_IDLE_SECONDS: '3',
  });
}

async function countProcessed(config: PipelineConfig): Promise<{ events: number; dlq: number }> {
  const client = createClickHouse(config);
  try {
    const [row] = await (
      await client.query({
        query:
          'SELECT (SELECT uniqExact(event_id) FROM journey_events) AS events, (SELECT count() FROM dlq_events) AS dlq',
        format: 'JSONEachRow',
      })
    ).json<{ events: string; dlq: string }>();
    return { events: Number(row?.events ?? 0), dlq: Number(row?.dlq ?? 0) };
  } finally {
    await client.close();
  }
}

/** Whether each live event reached ClickHouse on the account it was sent for. */
async function liveLanded(config: PipelineConfig, live: LiveTraffic): Promise<string> {
  const client = createClickHouse(config);
  try {
    const rows = await (
      await client.query({
        // The account key the pipeline's account id stands for (accounts maps them).
        query: `SELECT e.event_id AS event_id, any(a.account_key) AS account_key
                FROM journey_events AS e
                LEFT JOIN (SELECT account_id, account_key FROM accounts FINAL) AS a ON a.account_id = e.account_id
                WHERE e.event_id IN {ids:Array(String)} GROUP BY e.event_id`,
        query_params: { ids: live.events.map((e) => e.id) },
        format: 'JSONEachRow',
      })
    ).json<{ event_id: string; account_key: string }>();
    const stored = new Map(rows.map((r) => [r.event_id, r.account_key]));
    const onAccount = live.events.filter((e) => stored.get(e.id) === e.account).length;
    return `live events in ClickHouse: ${stored.size} of ${live.events.length}, ${onAccount} on the account they were sent for`;
  } finally {
    await client.close();
  }
}

export async function runDemo(
  ctx: CommandContext,
  { profile, seed }: { profile: string; seed: number },
): Promise<number> {
  const runId = `${Date.now().toString(36)}`;
  const config = demoConfig(ctx.config, runId);
  // Stage logs go to a file: the terminal shows the steps, the progress and the report (dead letters
  // are the demo's planted poison: the report summarises them; the log has each one).
  const demoLog = openDemoLog('.local/logs/demo.log');
  const quiet = demoLog.log;
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);

  out(`journey-pipeline demo — profile ${profile}, seed ${seed}, run ${runId}`);
  out(
    `1/6 topics (${config.TOPIC_BEHAVIOR.replace('.raw.behavior', '.*')}) and ClickHouse database ${config.CLICKHOUSE_DATABASE}`,
  );
  await ensureTopics(createKafka(config, 'demo-admin'), pipelineTopics(config));
  const admin = createClickHouse(config, { database: null });
  await admin.command({ query: `DROP DATABASE IF EXISTS ${config.CLICKHOUSE_DATABASE}` });
  await migrate(admin, {
    database: config.CLICKHOUSE_DATABASE,
    retentionDays: config.CLICKHOUSE_RETENTION_DAYS,
  });
  await admin.close();

  const metrics = createMetrics(false);
  const journey = await startDemoStages(config, quiet, metrics);
  out(`2/6 started the pipeline: the ingest and ${journey.description}`);
  const ingest = await startIngestService(config, quiet, metrics);
  let produced: Awaited<ReturnType<typeof produceWorkload>>;
  try {
    out(
      '3/6 producing the synthetic history straight to the raw topics (Avro through the registry, and JSON)',
    );
    produced = await produceWorkload(config, { profile, seed, endMs: Date.now() }, (done, total) => {
      process.stdout.write(progressBar('    producing', done, total));
    });
    process.stdout.write('\n');
    out(
      `    ${produced.sent} messages: ${produced.expectedEvents} distinct valid events, ${produced.expectedDlq} malformed, ${produced.duplicates} duplicate deliveries`,
    );

    out('4/6 live traffic through the HTTP collector (journey collect; docs/collect.md)');
    const live = await sendLiveTraffic(config, produced.truth, runId, quiet);
    out(
      `    ${live.segmentCalls} logins from Segment's analytics-node; signed webhooks: ${live.webhooks.stripe} Stripe invoice.paid, ${live.webhooks.zendesk} Zendesk (requesters and their tickets), ${live.webhooks.delighted} Delighted NPS, ${live.webhooks.typeform} Typeform CSAT; each answered 200 once Kafka had it`,
    );
    out(
      `    a forged Stripe webhook ${live.refusedForged ? 'refused (400), nothing written' : 'NOT refused'}`,
    );

    out('5/6 waiting until every message is processed');
    const started = Date.now();
    const expectedEvents = produced.expectedEvents + live.events.length;
    const expectedTotal = expectedEvents + produced.expectedDlq;
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
      const { events, dlq } = await countProcessed(config);
      process.stdout.write(progressBar('    processed', events + dlq, expectedTotal));
      if (events >= expectedEvents && dlq >= produced.expectedDlq) break;
      if (events + dlq !== last) {
        last = events + dlq;
        stableSince = Date.now();
      }
      // Everything arrived but split differently from the generator's labels: say so and go on.
      if (events + dlq >= expectedTotal && Date.now() - stableSince > 10_000) {
        process.stdout.write('\n');
        out(
          `    note: ${events} events and ${dlq} dead letters; the generator labelled ${expectedEvents} valid (${live.events.length} of them live) and ${produced.expectedDlq} malformed`,
        );
        break;
      }
      if (Date.now() - started > 15 * 60_000) {
        process.stdout.write('\n');
        out(`    gave up after 15 minutes: ${events} events and ${dlq} dead letters in ClickHouse`);
        out(`Log: ${demoLog.path} — ${demoLog.summary()}`);
        return 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    process.stdout.write('\n');
    out(`    ${await liveLanded(config, live)}`);
    // Time moves as far as the data takes it once every raw partition is idle (the watermark is
    // the least over them), and a key's held events reach its state with its handover: the report
    // waits for both, not only for the rows.
    const timeStarted = Date.now();
    while (!journey.idle()) {
      if (Date.now() - timeStarted > 120_000) {
        out(
          '    note: the raw partitions were not all idle, or a key still waited for a handover, after 2 minutes; the report may lag',
        );
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await ingest.stop();
    await journey.stop();
  }

  out('6/6 the journey');
  await printJourneyReport(config, out);
  const truth = produced.truth;
  const lift = truth.experiment.plantedRelativeLift;
  out('\nWhat the generator planted (compare with the tables above)');
  out(
    `  ${Object.keys(truth.accounts).length} accounts; paying at the end ${truth.retained.length}; cancelled churners ${truth.churners.length}; decaying towards a cancellation ${truth.decaying.length}; trials expired ${truth.trialsExpired.length}`,
  );
  const { control, treatment } = truth.experiment.variants;
  const rate = (v: { exposed: number; activated: number }): number =>
    v.exposed > 0 ? v.activated / v.exposed : 0;
  out(
    `  experiment ${truth.experiment.id}: planted relative lift ${(lift * 100).toFixed(0)} % on the funnel's last step (so on activation); as it happened: control ${control.activated}/${control.exposed} activated (${rate(control).toFixed(3)}), treatment ${treatment.activated}/${treatment.exposed} (${rate(treatment).toFixed(3)}), lift ${rate(control) > 0 ? ((rate(treatment) / rate(control) - 1) * 100).toFixed(1) : 'n/a'} %`,
  );
  out(
    '\nThe local stack is still running: explore with the queries above (database ' +
      config.CLICKHOUSE_DATABASE +
      ').',
  );
  out('Stop it with: make stack-down');
  out(`Log: ${demoLog.path} — ${demoLog.summary()}`);
  await demoLog.close();
  return 0;
}
