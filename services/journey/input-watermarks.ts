// The journey's event-time watermark from its inputs' progress, as Kafka Streams and Flink take
// it: the least, over the input partitions, of how far each got. The ingest writes, into every
// canonical partition, how far each raw partition got (shared/kafka/watermark-marker.ts). Read in
// order with the events, the markers of canonical partition c say which events are still to come
// on c: none older than the least event time of c's non-idle raw partitions (minus the map's
// lateness for disorder within a raw partition). So a backlog, a replay or an ingest outage
// whose raw partitions are days apart in event time never lets the partition that is ahead
// declare time final for the ones behind: the same data gives the same states however the
// partitions interleave.
// A canonical stream with no markers at all (written by something other than the ingest, or by
// a build before them) keeps the older rule: the greatest event time read, minus the lateness.
import type { WatermarkMarker } from '../shared/kafka/watermark-marker.ts';

export interface SourceMark {
  eventTime: number | null;
  idle: boolean;
}

/** Canonical partition -> raw partition (`topic/partition`) -> its latest progress read there. */
export type InputMarks = Map<number, Map<string, SourceMark>>;

/** A marker read on canonical partition `partition`. A raw partition's event time never goes back
 * (a restarted ingest's first marker may know less than the one before it). */
export function applyMarker(marks: InputMarks, partition: number, marker: WatermarkMarker): void {
  let sources = marks.get(partition);
  if (!sources) marks.set(partition, (sources = new Map()));
  const before = sources.get(marker.source)?.eventTime ?? null;
  const eventTime =
    marker.eventTime === null
      ? before
      : before === null
        ? marker.eventTime
        : Math.max(before, marker.eventTime);
  sources.set(marker.source, { eventTime, idle: marker.idle });
  if (marker.inputs) expectInputs(sources, marker.inputs);
}

/** The ingest's raw topics as its marker lists them: a partition not heard of yet is pending (it
 * holds the watermark until it reports); one of a topic no longer read is forgotten. */
function expectInputs(sources: Map<string, SourceMark>, inputs: Readonly<Record<string, number>>): void {
  for (const source of [...sources.keys()]) {
    const at = source.lastIndexOf('/');
    const count = inputs[source.slice(0, at)];
    if (count === undefined || Number(source.slice(at + 1)) >= count) sources.delete(source);
  }
  for (const [topic, count] of Object.entries(inputs))
    for (let p = 0; p < count; p++)
      if (!sources.has(`${topic}/${p}`)) sources.set(`${topic}/${p}`, { eventTime: null, idle: false });
}

/** Whether the input carries markers: from the first one on, only markers move the watermark. */
export const markersSeen = (marks: InputMarks): boolean => marks.size > 0;

/** Every raw partition the markers name is idle: nothing is on its way, the wall clock may tick. */
export function allInputsIdle(marks: InputMarks): boolean {
  for (const sources of marks.values()) for (const mark of sources.values()) if (!mark.idle) return false;
  return true;
}

/**
 * The event time up to which every input has arrived, minus `latenessMs`; null while some input
 * partition cannot say yet (a canonical partition not read since the markers began, a raw
 * partition before its first event or not heard of yet (the markers list every raw partition:
 * one no ingest instance has reported yet may hold older events). `partitions`: the canonical
 * partitions this instance owns (none known: those the markers came from).
 * Once every raw partition is idle nothing is held back: the greatest event time read decides.
 */
export function inputWatermark(
  marks: InputMarks,
  partitions: readonly number[],
  latenessMs: number,
): number | null {
  let least = Infinity;
  let greatest = -Infinity;
  for (const partition of partitions.length > 0 ? partitions : [...marks.keys()]) {
    const sources = marks.get(partition);
    if (!sources || sources.size === 0) return null;
    for (const mark of sources.values()) {
      if (mark.eventTime !== null) greatest = Math.max(greatest, mark.eventTime);
      if (mark.idle) continue;
      if (mark.eventTime === null) return null;
      least = Math.min(least, mark.eventTime);
    }
  }
  const at = least === Infinity ? greatest : least;
  return at === -Infinity ? null : at - latenessMs;
}

export function serializeMarks(sources: ReadonlyMap<string, SourceMark>): string {
  return JSON.stringify(Object.fromEntries(sources));
}

export function deserializeMarks(value: string): Map<string, SourceMark> {
  const parsed = JSON.parse(value) as Record<string, SourceMark>;
  return new Map(Object.entries(parsed));
}
