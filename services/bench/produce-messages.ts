// The benchmark's producer: sends pre-encoded messages to the raw topics, either as fast as
// possible (the drained backlog every consumer reads from offset 0) or paced by a rate schedule.
// Every message carries a `produced_at` header; the paced producer reports each chunk's send time
// so event -> queryable latency can be measured per event.
import { CompressionTypes } from 'kafkajs';
import type { Producer } from 'kafkajs';
import type { InputSource } from '../ingest/ingest-config.ts';
import type { BenchMessage } from './prepare-workload.ts';
import { dueBy, totalSeconds } from './pace-schedule.ts';
import type { RateSegment } from './pace-schedule.ts';

const CHUNK = 1000;
const MAX_IN_FLIGHT = 4;
const REQUEST_BYTES = 900_000;

interface Outgoing {
  key: string;
  value: Buffer;
  timestamp: string;
  headers: Record<string, string>;
}

export type TopicOf = (source: InputSource) => string;

async function sendChunk(
  producer: Producer,
  topicOf: TopicOf,
  chunk: readonly BenchMessage[],
): Promise<number> {
  const sentAt = Date.now();
  const byTopic = new Map<string, Outgoing[]>();
  for (const m of chunk) {
    const topic = topicOf(m.source);
    let list = byTopic.get(topic);
    if (!list) byTopic.set(topic, (list = []));
    list.push({
      key: m.key,
      value: m.value,
      timestamp: String(m.sendTimeMs),
      headers: { produced_at: String(sentAt) },
    });
  }
  // At most ~900 KB per request (a record batch over the broker's 1 MB limit is refused; the
  // workload's oversized poison messages made some 1,000-message chunks exceed it).
  let request: Array<{ topic: string; messages: Outgoing[] }> = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (request.length === 0) return;
    await producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: request });
    request = [];
    bytes = 0;
  };
  for (const [topic, messages] of byTopic) {
    let current: (typeof request)[number] = { topic, messages: [] };
    request.push(current);
    for (const message of messages) {
      const size = message.value.length + message.key.length + 64;
      if (bytes > 0 && bytes + size > REQUEST_BYTES) {
        await flush();
        current = { topic, messages: [] };
        request.push(current);
      }
      current.messages.push(message);
      bytes += size;
    }
  }
  await flush();
  return sentAt;
}

/** Everything, as fast as the broker takes it; returns the seconds it took. */
export async function produceAll(
  producer: Producer,
  topicOf: TopicOf,
  messages: readonly BenchMessage[],
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < messages.length; i += CHUNK)
    await sendChunk(producer, topicOf, messages.slice(i, i + CHUNK));
  return (performance.now() - started) / 1000;
}

export interface PacedResult {
  sent: number;
  startedAtMs: number;
  seconds: number;
  /** Offered rate actually achieved per segment (the producer may fall behind a burst). */
  achievedBySegment: number[];
}

/**
 * Sends `messages` in order following `segments` (stops early when the messages run out).
 * `onSent(first, count, sentAtMs)` tells which messages left when.
 */
export async function producePaced(
  producer: Producer,
  topicOf: TopicOf,
  messages: readonly BenchMessage[],
  segments: readonly RateSegment[],
  onSent: (first: number, count: number, sentAtMs: number) => void = () => undefined,
): Promise<PacedResult> {
  const startedAtMs = Date.now();
  const started = performance.now();
  const end = totalSeconds(segments);
  const bounds: number[] = [];
  let acc = 0;
  for (const s of segments) bounds.push((acc += s.seconds));
  const sentBySegment = segments.map(() => 0);
  let sent = 0;
  // A few sends in flight, so a burst is not limited by one broker round trip at a time.
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  for (;;) {
    if (failure !== null) throw failure;
    const t = (performance.now() - started) / 1000;
    if (t >= end || sent >= messages.length) break;
    const due = Math.min(messages.length, dueBy(segments, t));
    if (due > sent && inFlight.size < MAX_IN_FLIGHT) {
      const first = sent;
      const count = Math.min(CHUNK, due - sent);
      const segment = bounds.findIndex((b) => t < b);
      sentBySegment[segment === -1 ? segments.length - 1 : segment]! += count;
      sent += count;
      const send: Promise<void> = sendChunk(producer, topicOf, messages.slice(first, first + count))
        .then((sentAt) => onSent(first, count, sentAt))
        .catch((err: unknown) => void (failure ??= err))
        .finally(() => inFlight.delete(send));
      inFlight.add(send);
    } else if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    else await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(inFlight);
  if (failure !== null) throw failure;
  const seconds = (performance.now() - started) / 1000;
  return {
    sent,
    startedAtMs,
    seconds,
    achievedBySegment: segments.map((s, i) => sentBySegment[i]! / s.seconds),
  };
}
