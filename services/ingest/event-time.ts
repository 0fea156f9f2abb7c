// Event-time helpers: strict ISO-8601 parsing, Segment clock-skew correction, the accepted window.
import type { IngestLimits } from './ingest-config.ts';
import { PayloadError } from './payload-error.ts';
import type { PayloadObject } from './read-payload-fields.ts';

// Date, or date-time with optional seconds/fraction and optional zone. A date-time without a zone
// is read as UTC (never as the host's local time, which would make replays host-dependent).
const ISO_8601 = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

// The form almost every producer sends (JSON.stringify of a Date): Date.parse reads it as is.
const CANONICAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The largest |epoch ms| a Date can hold (±100,000,000 days, ECMA-262 §21.4.1.1). */
export const MAX_DATE_MS = 8.64e15;

export function parseIsoTime(text: string, path: string): number {
  if (text.length === 24 && CANONICAL_ISO.test(text)) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new PayloadError('invalid_field', `${path}: not a valid time`);
    return ms;
  }
  const m = ISO_8601.exec(text.trim());
  if (m === null) throw new PayloadError('invalid_field', `${path}: expected an ISO-8601 time`);
  const [, date, time, zone] = m;
  // Date.parse accepts at most millisecond precision: cut longer fractions.
  const clock = time === undefined ? 'T00:00:00' : `T${time.replace(/(\.\d{3})\d+$/, '$1')}`;
  const offset = zone === undefined ? 'Z' : zone.toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${date}${clock}${offset}`);
  if (Number.isNaN(ms)) throw new PayloadError('invalid_field', `${path}: not a valid time`);
  return ms;
}

/** An ISO-8601 string or a number of epoch milliseconds; null/missing -> undefined. */
export function optTime(obj: PayloadObject, key: string, path = key): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return parseIsoTime(v, path);
  if (typeof v === 'number' && Number.isSafeInteger(v)) {
    if (Math.abs(v) > MAX_DATE_MS) throw new PayloadError('timestamp_out_of_window', `${path}: ${v} ms`);
    return v;
  }
  throw new PayloadError('invalid_field', `${path}: expected an ISO-8601 time`);
}

export interface SegmentClock {
  timestamp?: number | undefined;
  originalTimestamp?: number | undefined;
  sentAt?: number | undefined;
  receivedAt?: number | undefined;
}

/**
 * Segment clock-skew correction: event_time = device time + (receivedAt - sentAt), i.e. the device
 * time moved onto the collector's clock. The device time is originalTimestamp when present (then
 * `timestamp` was already corrected by Segment / RudderStack and correcting it again would count
 * the skew twice), else timestamp. receivedAt missing -> the Kafka receive time. No device time
 * at all -> receivedAt (what Segment does).
 */
export function correctClockSkew(clock: SegmentClock, kafkaReceivedTime: number): number {
  const receivedAt = clock.receivedAt ?? kafkaReceivedTime;
  const deviceTime = clock.originalTimestamp ?? clock.timestamp;
  if (deviceTime === undefined) return receivedAt;
  if (clock.sentAt === undefined) return clock.timestamp ?? deviceTime;
  return deviceTime + (receivedAt - clock.sentAt);
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** A time as ISO-8601 when a Date can hold it, else as raw milliseconds: toISOString throws a
 *  RangeError beyond ±MAX_DATE_MS, and a poison timestamp must give a reason, not an exception. */
function describeTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : `${ms} ms`;
}

export function checkTimestampWindow(eventTime: number, receivedTime: number, limits: IngestLimits): void {
  // NaN compares false both ways below and would pass the window: reject it (and ±Infinity) first.
  if (!Number.isFinite(eventTime)) {
    throw new PayloadError('timestamp_out_of_window', `event_time ${eventTime} is not a time`);
  }
  if (eventTime < receivedTime - limits.maxPastDays * DAY_MS) {
    throw new PayloadError(
      'timestamp_out_of_window',
      `event_time ${describeTime(eventTime)} is more than ${limits.maxPastDays} days before receive time`,
    );
  }
  if (eventTime > receivedTime + limits.maxFutureMinutes * MINUTE_MS) {
    throw new PayloadError(
      'timestamp_out_of_window',
      `event_time ${describeTime(eventTime)} is more than ${limits.maxFutureMinutes} minutes after receive time`,
    );
  }
}
