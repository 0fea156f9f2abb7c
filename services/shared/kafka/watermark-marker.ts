// Event-time progress of the raw inputs, carried on the canonical topic (as Flink carries
// watermarks through a shuffle): after each batch of a raw partition the ingest writes, inside the
// batch's transaction, one marker to every canonical partition saying how far that raw partition
// got in event time and whether it is idle. A marker is read after every event that raw partition
// sent to that canonical partition before it, so the journey knows, per canonical partition, the
// least event time still to come from each input (input-watermarks.ts).
// Markers are not events: they carry the WATERMARK_HEADER and a small JSON body, and every reader
// of the canonical topic skips them by that header (isWatermarkMarker).
import type { OutboundMessage } from './producer.ts';

export const WATERMARK_HEADER = 'journey_watermark';

export interface WatermarkMarker {
  /** The raw input, `topic/partition`. */
  source: string;
  /** Greatest event time (ms) of the events it has sent; null before its first. */
  eventTime: number | null;
  /** Caught up and nothing appended to it for the idle timeout: it holds nobody back. */
  idle: boolean;
  /** Every raw topic the ingest reads, with its partition count: the journey then expects a
   *  marker from each of their partitions (one not heard of yet may hold older events). */
  inputs?: Record<string, number>;
}

export function isWatermarkMarker(headers: Readonly<Record<string, unknown>> | undefined): boolean {
  return headers?.[WATERMARK_HEADER] !== undefined;
}

export function watermarkMarkerMessages(
  topic: string,
  partitions: number,
  marker: WatermarkMarker,
): OutboundMessage[] {
  const value = JSON.stringify(marker);
  return Array.from({ length: partitions }, (_, partition) => ({
    topic,
    partition,
    key: marker.source,
    value,
    headers: { [WATERMARK_HEADER]: '1' },
  }));
}

/** null: not a marker this build can read (a newer format, or damaged): it is skipped. */
export function decodeWatermarkMarker(value: Buffer | null): WatermarkMarker | null {
  if (value === null) return null;
  try {
    const parsed = JSON.parse(value.toString('utf8')) as Partial<WatermarkMarker>;
    if (typeof parsed.source !== 'string' || typeof parsed.idle !== 'boolean') return null;
    if (parsed.eventTime !== null && !Number.isFinite(parsed.eventTime)) return null;
    const inputs =
      typeof parsed.inputs === 'object' && parsed.inputs !== null
        ? Object.fromEntries(
            Object.entries(parsed.inputs).filter(([, n]) => Number.isInteger(n) && n > 0 && n <= 100_000),
          )
        : undefined;
    return {
      source: parsed.source,
      eventTime: parsed.eventTime ?? null,
      idle: parsed.idle,
      ...(inputs ? { inputs } : {}),
    };
  } catch {
    return null;
  }
}
