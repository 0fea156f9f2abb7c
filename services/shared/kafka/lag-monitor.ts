// Consumer lag as the broker sees it: for each partition this member owns, the partition's end
// offset minus the group's committed offset, read from the broker every few seconds. Independent of
// the consumer's own progress: a stage stuck inside a batch, or one whose fetches stopped, shows its
// lag growing as messages arrive (the lag set from a fetched batch only knows that batch's view).
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '../telemetry/logger.ts';
import type { PipelineMetrics } from '../telemetry/metrics.ts';
import { groupPositions, lagOf } from './group-positions.ts';
import type { GroupPosition } from './group-positions.ts';

export interface LagMonitor {
  /** One measurement now (the timer takes them every `intervalMs`). */
  measure(): Promise<void>;
  stop(): Promise<void>;
}

export function startLagMonitor(options: {
  kafka: Kafka;
  groupId: string;
  /** The partitions this member owns now, by topic. */
  owned: () => Readonly<Record<string, readonly number[]>>;
  metrics?: PipelineMetrics;
  log: Logger;
  intervalMs?: number;
  /** Each reading of an owned topic, with `epoch()` as it was when the reading began. */
  onPositions?: (topic: string, positions: readonly GroupPosition[], epoch: number) => void;
  epoch?: () => number;
}): LagMonitor {
  const { kafka, groupId, owned, metrics, log } = options;
  let admin: Admin | null = null;
  let failing = false;
  let stopped = false;
  const measureOnce = async (): Promise<void> => {
    const epoch = options.epoch?.() ?? 0;
    const topics = Object.entries(owned()).filter(([, partitions]) => partitions.length > 0);
    if (topics.length === 0 || stopped) return;
    if (!admin) {
      const connecting = kafka.admin();
      await connecting.connect();
      // Stopped while connecting: this connection is nobody's to close but ours (an open socket
      // would keep the process alive).
      if (stopped) {
        await connecting.disconnect().catch(() => undefined);
        return;
      }
      admin = connecting;
    }
    for (const [topic, partitions] of topics) {
      const positions = await groupPositions(admin, groupId, topic);
      options.onPositions?.(topic, positions, epoch);
      for (const partition of partitions) {
        const position = positions.find((p) => p.partition === partition);
        if (position)
          metrics?.consumerLag.set({ group: groupId, topic, partition: String(partition) }, lagOf(position));
      }
    }
  };
  // One reading at a time (a rebalance asks for one between the timer's): one admin connection.
  let reading: Promise<void> = Promise.resolve();
  const measure = (): Promise<void> => {
    const next = reading.then(measureOnce, measureOnce);
    reading = next.catch(() => undefined);
    return next;
  };
  const timer = setInterval(
    () =>
      void measure().then(
        () => {
          if (failing) log.info('consumer lag measured again');
          failing = false;
        },
        (err: unknown) => {
          if (stopped) return; // the admin was closed under a measurement: nothing to say
          // The broker away: /readyz and the stage's own errors say so; one line per outage here.
          if (!failing) log.warn({ err }, 'consumer lag not measured; retried at every interval');
          failing = true;
          const broken = admin;
          admin = null;
          void broken?.disconnect().catch(() => undefined);
        },
      ),
    options.intervalMs ?? 10_000,
  );
  timer.unref();
  return {
    measure,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await admin?.disconnect().catch(() => undefined);
      admin = null;
    },
  };
}
