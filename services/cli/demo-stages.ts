// The demo's journey stages as the topology has them (docs/architecture.md): the single writer, or
// (JOURNEY_TOPOLOGY=partitioned) the route stage and one state instance holding every resolved
// partition. The ingest runs beside either.
import type { PipelineConfig } from '../shared/config/config.ts';
import { resolvedPartitions } from '../shared/kafka/pipeline-topics.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import type { PipelineMetrics } from '../shared/telemetry/metrics.ts';
import { allInputsIdle, markersSeen } from '../journey/input-watermarks.ts';
import type { InputMarks } from '../journey/input-watermarks.ts';
import { startJourneyService } from '../journey/journey-service.ts';
import { startRouteService } from '../journey/route-service.ts';
import { startStateService } from '../journey/state-service.ts';
import { awaitedHandovers } from '../journey/keyed-partition.ts';

export interface DemoStages {
  /** What runs, for the demo's step line. */
  description: string;
  /** Time has moved as far as the data takes it: every raw partition announced idle, as seen by
   *  every journey state (the single writer's, or each resolved partition's), and (partitioned) no
   *  key waits for a handover: the events held for it are applied (they are in journey_events from
   *  the batch that held them, in the key's state only once the handover comes). */
  idle(): boolean;
  stop(): Promise<void>;
}

const inputsIdle = (inputs: InputMarks): boolean => markersSeen(inputs) && allInputsIdle(inputs);

export async function startDemoStages(
  config: PipelineConfig,
  log: Logger,
  metrics: PipelineMetrics,
): Promise<DemoStages> {
  if (config.JOURNEY_TOPOLOGY !== 'partitioned') {
    const journey = await startJourneyService(config, log, metrics);
    return {
      description: 'the single-writer journey (identity, state, churn, ClickHouse)',
      idle: () => inputsIdle(journey.state.accounts.inputs),
      stop: () => journey.stop(),
    };
  }
  const route = await startRouteService(config, log, metrics);
  const state = await startStateService(config, log, metrics).catch(async (err: unknown) => {
    await route.stop();
    throw err;
  });
  const partitions = resolvedPartitions(config);
  return {
    description: `the journey partitioned by account: route (identity) and state (${partitions} resolved partitions: state, churn, ClickHouse)`,
    idle: () => {
      const parts = [...state.partitions().values()];
      return (
        parts.length === partitions &&
        parts.every((p) => inputsIdle(p.store.inputs) && awaitedHandovers(p) === 0)
      );
    },
    stop: async () => {
      await state.stop();
      await route.stop();
    },
  };
}
