// How far each raw partition this instance owns got in event time, for the watermark markers
// (shared/kafka/watermark-marker.ts). A partition is idle, and holds nobody back, once it is
// caught up and no message arrived on it for the idle timeout — processing time, as Flink's
// source idleness: a raw partition still being written to is never idle, however far ahead of it
// the others are. Processing time alone is not enough: an instance too busy (a long batch of
// another partition, a starved event loop) to fetch a partition for the timeout would call it
// quiet while its backlog waits, and the journey's watermark would pass events still to come. So
// the shell asks the broker before each announcement (`stillReading`). Pure: the shell passes the
// clock and the broker's answer in.
import type { WatermarkMarker } from '../shared/kafka/watermark-marker.ts';

interface Progress {
  eventTime: number | null;
  caughtUp: boolean;
  lastBatchAt: number;
  idle: boolean;
  /** A marker for it was written (or is in the batch about to be). */
  announced: boolean;
  /** A batch of it was sent by this instance since it was registered (or is about to be). */
  batched: boolean;
}

/** A raw partition as markers name it: `topic/partition`. */
export const sourceOf = (topic: string, partition: number): string => `${topic}/${partition}`;

export class SourceProgress {
  readonly #bySource = new Map<string, Progress>();
  readonly #idleMs: number;

  constructor(idleMs: number) {
    this.#idleMs = idleMs;
  }

  /** The marker for a committed-to-be batch of `topic/partition`: its greatest event time so far
   *  (never lowered: a batch of older events says nothing new) and whether it reached the end. */
  afterBatch(
    topic: string,
    partition: number,
    maxEventTime: number | null,
    caughtUp: boolean,
    nowMs: number,
  ): WatermarkMarker {
    const source = sourceOf(topic, partition);
    const before = this.#bySource.get(source)?.eventTime ?? null;
    const eventTime =
      maxEventTime === null ? before : before === null ? maxEventTime : Math.max(before, maxEventTime);
    this.#bySource.set(source, {
      eventTime,
      caughtUp,
      lastBatchAt: nowMs,
      idle: false,
      announced: true,
      batched: true,
    });
    return { source, eventTime, idle: false };
  }

  /** The marker to write ahead of a batch's events, or null. Before this instance's first batch of
   *  the partition, and its first after an idle announcement, the partition is announced active at
   *  the progress known (a journey never lowers a raw partition's event time: watermark-marker.ts)
   *  before its events. So a journey reading the canonical topic from its start meets a marker
   *  before any event, whatever the timing: it never takes the first events for a stream without
   *  markers, whose time moves with the events (the single writer would, the partitioned journey's
   *  state step cannot: their states differed on those events); and an idle partition's new events
   *  never come while the journey still counts it idle. Call before afterBatch. */
  beforeBatch(topic: string, partition: number): WatermarkMarker | null {
    const source = sourceOf(topic, partition);
    const p = this.#bySource.get(source);
    if (p?.batched && !p.idle) return null;
    return { source, eventTime: p?.eventTime ?? null, idle: false };
  }

  /** The batch carrying `beforeBatch`'s marker was not committed: the next one carries it again. */
  unbatch(topic: string, partition: number): void {
    const p = this.#bySource.get(sourceOf(topic, partition));
    if (p) p.batched = false;
  }

  /** An owned partition before its first batch, from its lag at assignment: with a backlog it is
   *  announced pending (it holds the watermark until its first batch says how far it got); caught
   *  up, nothing is said (the journey keeps what it knew of it) and it is announced idle after the
   *  timeout. Known partitions are left as they are. */
  register(topic: string, partition: number, caughtUp: boolean, nowMs: number): void {
    const source = sourceOf(topic, partition);
    if (this.#bySource.has(source)) return;
    this.#bySource.set(source, {
      eventTime: null,
      caughtUp,
      lastBatchAt: nowMs,
      idle: false,
      announced: caughtUp,
      batched: false,
    });
  }

  /** Pending markers for the registered partitions not announced yet, to go with the next batch
   *  of any partition: the journey then knows they exist before the others move time on. */
  unannounced(): WatermarkMarker[] {
    const out: WatermarkMarker[] = [];
    for (const [source, p] of this.#bySource) {
      if (p.announced) continue;
      p.announced = true;
      out.push({ source, eventTime: p.eventTime, idle: false });
    }
    return out;
  }

  /** The batch carrying `unannounced()` markers was not committed: they go with the next one. */
  unannounce(markers: readonly WatermarkMarker[]): void {
    for (const m of markers) {
      const p = this.#bySource.get(m.source);
      if (p && p.eventTime === null) p.announced = false;
    }
  }

  /** Markers for the owned partitions that have gone idle since their last batch (each once). */
  idleDue(nowMs: number): WatermarkMarker[] {
    const due: WatermarkMarker[] = [];
    for (const [source, p] of this.#bySource) {
      if (p.idle || !p.caughtUp || nowMs - p.lastBatchAt < this.#idleMs) continue;
      due.push({ source, eventTime: p.eventTime, idle: true });
    }
    return due;
  }

  /** A partition `idleDue` offered has messages waiting after all (the broker's end is past the
   *  group's committed offset): this instance was busy, not the partition quiet — or the commit of
   *  its last batch was still in flight. Not idle now; offered again after another timeout, when
   *  the broker is asked again (a batch meanwhile says whether it is caught up). Not `caughtUp =
   *  false`: after a last batch whose commit outlasted the timeout no batch would ever set it back,
   *  and the partition would never be announced idle. */
  stillReading(source: string, nowMs: number): void {
    const p = this.#bySource.get(source);
    if (p) p.lastBatchAt = nowMs;
  }

  /** The idle marker of `source` was written. */
  markIdle(source: string): void {
    const p = this.#bySource.get(source);
    if (p) {
      p.idle = true;
      p.announced = true;
    }
  }

  /** Forgets the partitions no longer owned; their new owner reports them. */
  retain(assignment: Readonly<Record<string, readonly number[]>>): void {
    const owned = new Set(
      Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => sourceOf(topic, p))),
    );
    for (const source of [...this.#bySource.keys()]) if (!owned.has(source)) this.#bySource.delete(source);
  }
}

/** `topic/partition` back into its parts (topic names may hold dots, never a slash). */
export function parseSource(source: string): { topic: string; partition: number } {
  const at = source.lastIndexOf('/');
  return { topic: source.slice(0, at), partition: Number(source.slice(at + 1)) };
}
