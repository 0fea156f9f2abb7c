// A process under measurement: `node services/bench/bench-worker.ts '<WorkerArgs JSON>'`, forked by
// the benchmark with the run's configuration in its environment. It runs one consumer (B0, B1, B2,
// a hop of B3 / B4, the ingest stage or the journey stage), reports progress over IPC, and on `stop` reports its
// own CPU time, memory, event-loop delay and ClickHouse inserts, then exits.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../shared/config/config.ts';
import { createLogger } from '../shared/telemetry/logger.ts';
import { instrumentInserts } from './instrument-inserts.ts';
import { isSampled } from './latency-sampling.ts';
import { startClickHouseBaseline } from './run-baseline-clickhouse.ts';
import { startConsumeBaseline } from './run-baseline-consume.ts';
import { startPassthroughBaseline } from './run-baseline-passthrough.ts';
import { startRelayHop } from './run-baseline-relay.ts';
import { startPipelineStage } from './run-pipeline.ts';
import { WorkerProgress } from './worker-progress.ts';
import type { FromWorker, StateStats, ToWorker, WorkerArgs } from './worker-protocol.ts';

const send = (message: FromWorker): void => {
  process.send?.(message);
};

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
  const config = loadConfig(process.env);
  const log = createLogger(config.LOG_LEVEL).child({ bench: args.role });
  const progress = new WorkerProgress(args.expected, send);
  const inserts = instrumentInserts((table, values, ackAtMs) => {
    if (args.sampleEvery === 0 || table !== 'journey_events' || !Array.isArray(values)) return;
    for (const row of values as Array<{ event_id: string }>)
      if (isSampled(row.event_id, args.sampleEvery)) progress.ack(row.event_id, ackAtMs);
  });
  const eventLoop = monitorEventLoopDelay({ resolution: 10 });
  eventLoop.enable();
  const cpuAtStart = process.cpuUsage();

  let running: { stop(): Promise<void>; stateStats?: () => StateStats | null; joined?: Promise<void> };
  switch (args.role) {
    case 'consume':
      running = await startConsumeBaseline(config, log, progress);
      break;
    case 'passthrough':
      running = await startPassthroughBaseline(config, log, progress);
      break;
    case 'clickhouse':
      running = await startClickHouseBaseline(config, log, progress, args.rowsPerInsert);
      break;
    case 'relay':
      running = await startRelayHop(config, log, progress, args.hop ?? 1, args.hops ?? 2);
      break;
    case 'ingest':
    case 'journey':
    case 'route':
    case 'state':
      running = await startPipelineStage(args.role, config, log, progress);
      break;
  }
  // Ready once the consumer group has assigned partitions: paced load starts at a running stage.
  await running.joined;
  const cpuToReady = process.cpuUsage(cpuAtStart);
  // Acknowledgements keep flowing while nothing else changes.
  const flusher = setInterval(() => progress.flush(), 100);
  send({ type: 'ready' });

  process.on('message', (message: ToWorker) => {
    if (message.type !== 'stop') return;
    void (async () => {
      clearInterval(flusher);
      progress.flush(true);
      const cpu = process.cpuUsage(cpuAtStart);
      eventLoop.disable();
      (globalThis as { gc?: () => void }).gc?.();
      const memory = process.memoryUsage();
      const state = running.stateStats?.() ?? null;
      const final: FromWorker = {
        type: 'final',
        stats: {
          role: args.role,
          pid: process.pid,
          cpuUserSeconds: cpu.user / 1e6,
          cpuSystemSeconds: cpu.system / 1e6,
          cpuToReadySeconds: (cpuToReady.user + cpuToReady.system) / 1e6,
          rssBytes: memory.rss,
          heapUsedBytes: memory.heapUsed,
          eventLoopDelayP99Ms: eventLoop.percentile(99) / 1e6,
          eventLoopDelayMaxMs: eventLoop.max / 1e6,
          processed: progress.processed,
          firstAtMs: progress.firstAtMs,
          doneAtMs: progress.doneAtMs,
          inserts: Object.fromEntries(inserts),
          state,
          batches: progress.batchStats(),
        },
      };
      // Report first: a consumer's disconnect waits out its long-poll fetch (up to 5 s), which is
      // no part of the measurement. Everything was committed already; leave the group, then exit.
      await new Promise((resolve) => process.send?.(final, undefined, undefined, resolve));
      await Promise.race([running.stop(), new Promise((resolve) => setTimeout(resolve, 1000))]);
      process.exit(0);
    })();
  });
}

main().catch((err: unknown) => {
  const failed: FromWorker = {
    type: 'failed',
    message: err instanceof Error ? (err.stack ?? err.message) : String(err),
  };
  process.send?.(failed, undefined, undefined, () => process.exit(1));
});
