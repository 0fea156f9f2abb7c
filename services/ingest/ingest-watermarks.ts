// The ingest shell's event-time progress (docs/journey.md): per owned raw partition, a watermark
// marker written to every canonical partition with each batch, pending markers for partitions with
// a backlog, and idle announcements for partitions with nothing to read. The journey's watermark is
// the least of them. The pure rules are in source-progress.ts; this file does the Kafka side.
import type { Kafka } from 'kafkajs';
import type { PipelineConfig } from '../shared/config/config.ts';
import type { PartitionClaim } from '../shared/kafka/partition-producers.ts';
import type { OutboundMessage } from '../shared/kafka/producer.ts';
import { watermarkMarkerMessages } from '../shared/kafka/watermark-marker.ts';
import type { WatermarkMarker } from '../shared/kafka/watermark-marker.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import type { InputSource } from './ingest-config.ts';
import { SourceProgress, parseSource } from './source-progress.ts';
import { groupPositions, readToEnd } from '../shared/kafka/group-positions.ts';

export interface IngestWatermarksOptions {
  kafka: Kafka;
  config: PipelineConfig;
  sourceByTopic: ReadonlyMap<string, InputSource>;
  log: Logger;
  /** The raw partitions this member owns now. */
  assigned: () => Readonly<Record<string, readonly number[]>>;
  /** The producer of a raw partition (one transaction per batch or announcement). */
  claim: (topic: string, partition: number) => Promise<PartitionClaim>;
  /** Batches and idle announcements take turns on each partition's producer. */
  exclusive: <T>(topic: string, partition: number, work: () => Promise<T>) => Promise<T>;
  /** The consumer's BatchControl.memberFresh: a member back from a stall announces nothing. */
  memberFresh: () => boolean;
}

export class IngestWatermarks {
  readonly progress: SourceProgress;
  private readonly options: IngestWatermarksOptions;
  // Fetched once, again after each rebalance (the topic may have gained partitions), and again
  // after a failed fetch (the broker was away): the batch that needed it is retried.
  private markerPartitions: Promise<number> | null = null;
  // After each assignment, before the first batch: every owned partition is registered from its
  // lag (source-progress.ts), so those with a backlog are announced pending with that batch and
  // hold the journey's watermark until their own first batch.
  private registration: Promise<void> | null = null;
  // Every raw topic read, with its partition count, named in each marker (watermark-marker.ts).
  private rawInputs: Record<string, number> | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(options: IngestWatermarksOptions) {
    this.options = options;
    this.progress = new SourceProgress(options.config.INGEST_IDLE_SECONDS * 1000);
  }

  /** After each rebalance: forget what the assignment and the topics' layout decided. */
  onAssignment(assignment: Readonly<Record<string, readonly number[]>>): void {
    this.progress.retain(assignment);
    this.registration = null;
    // The canonical topic may have gained partitions: each gets markers from now on.
    this.markerPartitions = null;
  }

  /** The marker's messages, one per canonical partition. */
  async markersOf(marker: WatermarkMarker): Promise<OutboundMessage[]> {
    this.markerPartitions ??= this.canonicalPartitions().catch((err: unknown) => {
      this.markerPartitions = null;
      throw err;
    });
    return watermarkMarkerMessages(this.options.config.TOPIC_CANONICAL, await this.markerPartitions, {
      ...marker,
      ...(this.rawInputs ? { inputs: this.rawInputs } : {}),
    });
  }

  /** Registers the owned partitions once per assignment (retried after a failure). */
  register(): Promise<void> {
    this.registration ??= this.registerAssigned().catch((err: unknown) => {
      this.registration = null;
      throw err;
    });
    return this.registration;
  }

  /** Checks for idle partitions every quarter of INGEST_IDLE_SECONDS (0.5 s to 5 s). */
  startIdleChecks(): void {
    const { config, log } = this.options;
    // A broker outage fails every check until it is back: one warning for the outage, not one per check.
    let failing = false;
    this.idleTimer = setInterval(
      () =>
        void this.checkIdle().then(
          () => {
            if (failing) log.info('idle checks work again');
            failing = false;
          },
          (err: unknown) => {
            if (failing) log.debug({ err }, 'idle raw partitions still not announced');
            else log.warn({ err }, 'idle raw partitions not announced; retried at every check');
            failing = true;
          },
        ),
      Math.max(500, Math.min(5_000, (config.INGEST_IDLE_SECONDS * 1000) / 4)),
    );
    this.idleTimer.unref();
  }

  stopIdleChecks(): void {
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = null;
  }

  private owns(topic: string, partition: number): boolean {
    return this.options.assigned()[topic]?.includes(partition) ?? false;
  }

  /** One idle check: announces the owned partitions quiet for the timeout and read to the end. */
  async checkIdle(): Promise<void> {
    // Registered after every assignment even when no batch comes (a restart with nothing left
    // to read): else the partitions are never announced idle and the journey's time stands still.
    if (Object.values(this.options.assigned()).some((partitions) => partitions.length > 0))
      await this.register();
    const due = this.progress.idleDue(Date.now());
    const waiting = due.length > 0 ? await this.notReadToEnd(due) : new Set<string>();
    for (const marker of due) {
      const { topic, partition } = parseSource(marker.source);
      if (!this.owns(topic, partition)) continue;
      if (waiting.has(marker.source)) {
        this.progress.stillReading(marker.source, Date.now());
        continue;
      }
      // In the partition's turn: never beside a batch of it (one transaction per producer), and
      // only if no batch came while it waited for its turn (then the partition is not quiet).
      await this.options.exclusive(topic, partition, async () => {
        const still = this.progress.idleDue(Date.now()).find((m) => m.source === marker.source);
        if (!still || !this.owns(topic, partition)) return;
        const { producer } = await this.options.claim(topic, partition);
        const owned = async (): Promise<boolean> => this.owns(topic, partition) && this.options.memberFresh();
        if (await producer.sendWithOffsets(await this.markersOf(still), null, owned))
          this.progress.markIdle(still.source);
      });
    }
  }

  /** The sources among `markers` whose partition holds messages past the group's committed offset. */
  private async notReadToEnd(markers: readonly WatermarkMarker[]): Promise<Set<string>> {
    const { kafka, config } = this.options;
    const topics = [...new Set(markers.map((m) => parseSource(m.source).topic))];
    const admin = kafka.admin();
    await admin.connect();
    try {
      const waiting = new Set<string>();
      for (const topic of topics) {
        for (const position of await groupPositions(admin, config.INGEST_GROUP_ID, topic))
          if (!readToEnd(position)) waiting.add(`${topic}/${position.partition}`);
      }
      return waiting;
    } finally {
      await admin.disconnect();
    }
  }

  private async canonicalPartitions(): Promise<number> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [this.options.config.TOPIC_CANONICAL] });
      return topics[0]?.partitions.length ?? 0;
    } finally {
      await admin.disconnect();
    }
  }

  private async registerAssigned(): Promise<void> {
    const { kafka, config, sourceByTopic } = this.options;
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [...sourceByTopic.keys()] });
      this.rawInputs = Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]));
      const backlog: string[] = [];
      let caughtUp = 0;
      for (const [topic, partitions] of Object.entries(this.options.assigned())) {
        const positions = await groupPositions(admin, config.INGEST_GROUP_ID, topic);
        for (const partition of partitions) {
          const position = positions.find((p) => p.partition === partition);
          if (!position) continue;
          const atEnd = readToEnd(position);
          this.progress.register(topic, partition, atEnd, Date.now());
          if (atEnd) caughtUp++;
          else backlog.push(`${topic}/${partition}`);
        }
      }
      this.options.log.info({ backlog, caughtUp }, 'raw partitions registered from their lag');
    } finally {
      await admin.disconnect();
    }
  }
}
