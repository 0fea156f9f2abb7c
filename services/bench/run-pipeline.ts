// Ours: the ingest or the journey stage exactly as `journey ingest` / `journey journey` run them
// (one process per stage, as deployed), with progress read from kafkajs's batch events and, for
// the journey stage, the size of its state (identity graph, account states) at the end.
import type { Consumer } from 'kafkajs';
import type { PipelineConfig } from '../shared/config/config.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import { createMetrics } from '../shared/telemetry/metrics.ts';
import { startIngestService } from '../ingest/ingest-service.ts';
import { startJourneyService } from '../journey/journey-service.ts';
import type { JourneyService } from '../journey/journey-service.ts';
import { serializeState } from '../journey/serialize-state.ts';
import { startRouteService } from '../journey/route-service.ts';
import { startStateService } from '../journey/state-service.ts';
import { percentile } from './bench-stats.ts';
import type { WorkerProgress } from './worker-progress.ts';
import type { StateStats } from './worker-protocol.ts';

function followBatches(consumer: Consumer, progress: WorkerProgress, topic?: string): void {
  consumer.on(consumer.events.START_BATCH_PROCESS, () => progress.started());
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    const { batchSize, lastOffset, duration } = event.payload;
    progress.batch(batchSize, duration);
    const position =
      topic === undefined || event.payload.topic === topic
        ? { topic: event.payload.topic, partition: event.payload.partition, lastOffset }
        : undefined;
    progress.add(batchSize, position);
  });
}

export function stateStatsOf(journey: JourneyService): StateStats {
  const sizes: number[] = [];
  let personStates = 0;
  for (const state of journey.state.accounts.states.values()) {
    if (state.kind === 'person') personStates++;
    else sizes.push(serializeState(state).length);
  }
  sizes.sort((a, b) => a - b);
  const graph = journey.state.graph;
  return {
    identifiers: graph.nodeIndex.size,
    persons: graph.personSlotById.size,
    accounts: sizes.length,
    personStates,
    stateBytesMean: sizes.length === 0 ? 0 : sizes.reduce((a, b) => a + b, 0) / sizes.length,
    stateBytesP99: sizes.length === 0 ? 0 : percentile(sizes, 99),
    stateBytesMax: sizes.length === 0 ? 0 : sizes[sizes.length - 1]!,
  };
}

export async function startPipelineStage(
  stage: 'ingest' | 'journey' | 'route' | 'state',
  config: PipelineConfig,
  log: Logger,
  progress: WorkerProgress,
): Promise<{ stop(): Promise<void>; stateStats(): StateStats | null; joined: Promise<void> }> {
  if (stage === 'ingest') {
    const ingest = await startIngestService(config, log, createMetrics(false));
    followBatches(ingest.consumer, progress);
    return { stop: () => ingest.stop(), stateStats: () => null, joined: ingest.joined };
  }
  if (stage === 'route') {
    const route = await startRouteService(config, log, createMetrics(false));
    followBatches(route.consumer, progress, config.TOPIC_CANONICAL);
    return { stop: () => route.stop(), stateStats: () => null, joined: route.joined };
  }
  if (stage === 'state') {
    const state = await startStateService(config, log, createMetrics(false));
    followBatches(state.consumer, progress, config.TOPIC_RESOLVED);
    return { stop: () => state.stop(), stateStats: () => null, joined: state.joined };
  }
  const journey = await startJourneyService(config, log, createMetrics(false));
  followBatches(journey.consumer, progress, config.TOPIC_CANONICAL);
  return { stop: () => journey.stop(), stateStats: () => stateStatsOf(journey), joined: journey.joined };
}
