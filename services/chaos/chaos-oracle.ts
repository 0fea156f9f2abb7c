// The fault-injection suite's oracle: what a run stored, read from the real outputs. Events from
// ClickHouse as stored (count() and uniqExact(event_id), no FINAL, no OPTIMIZE: a copy a merge
// would collapse later is counted as a duplicate), duplicates in the Kafka outputs under
// read_committed (by event id), dead letters, and the per-account stage state (FINAL: the
// versioned snapshot) to compare with an undisturbed run.
import { isWatermarkMarker } from '../shared/kafka/watermark-marker.ts';
import type { ClickHouseClient } from '@clickhouse/client';
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { journeyEventType } from '../shared/kafka/canonical-codec.ts';
import { CONTROL_HEADER } from '../journey/resolved-record-codec.ts';

export interface StoredEvents {
  rows: number;
  events: number;
}

export async function storedEvents(client: ClickHouseClient): Promise<StoredEvents> {
  const [row] = await (
    await client.query({
      query: 'SELECT count() AS rows, uniqExact(event_id) AS events FROM journey_events',
      format: 'JSONEachRow',
    })
  ).json<{ rows: string; events: string }>();
  return { rows: Number(row?.rows ?? 0), events: Number(row?.events ?? 0) };
}

/** account -> its stage state as one comparable line (the columns a disturbance could change). */
export async function stageState(client: ClickHouseClient): Promise<Map<string, string>> {
  const rows = await (
    await client.query({
      query: `SELECT account_key, stage, toString(stage_entered_at) AS entered, toString(activated_at) AS activated,
                     toString(last_activity_at) AS last_activity, active_seats, toString(stage_entries) AS entries
              FROM account_state FINAL WHERE kind = 'account' ORDER BY account_key`,
      format: 'JSONEachRow',
    })
  ).json<Record<string, string>>();
  return new Map(rows.map(({ account_key: key, ...rest }) => [key!, JSON.stringify(rest)]));
}

export function stateDifferences(expected: Map<string, string>, actual: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [key, line] of expected)
    if (actual.get(key) !== line) out.push(`${key}: ${actual.get(key) ?? 'missing'} != ${line}`);
  for (const key of actual.keys()) if (!expected.has(key)) out.push(`${key}: not in the undisturbed run`);
  return out;
}

export interface TopicCount {
  messages: number;
  distinct: number;
}

/** Every committed message of a topic holding canonical Avro events, by event id (markers and
 *  the partitioned journey's control records aside). Reads until
 *  `expectedDistinct` ids were seen and every partition is at its end (lag <= 1: the commit marker). */
export async function countTopicEvents(
  kafka: Kafka,
  topic: string,
  expectedDistinct: number,
  timeoutMs = 120_000,
): Promise<TopicCount> {
  const type = journeyEventType();
  const ids = new Set<string>();
  let messages = 0;
  const lag = new Map<number, number>();
  const admin = kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicOffsets(topic)).filter((p) => p.high !== p.low);
  await admin.disconnect();
  const consumer = kafka.consumer({
    groupId: `chaos-oracle-${topic}-${randomUUID()}`,
    readUncommitted: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          // Partitioned, the resolved topic also carries the route's moves and the handovers.
          if (!m.value || m.value.length < 5 || isWatermarkMarker(m.headers) || m.headers?.[CONTROL_HEADER])
            continue;
          messages++;
          ids.add((type.fromBuffer(m.value.subarray(5)) as { event_id: string }).event_id);
        }
        lag.set(batch.partition, Number(batch.offsetLag()));
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!(ids.size >= expectedDistinct && partitions.every((p) => (lag.get(p.partition) ?? 99) <= 1))) {
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await consumer.disconnect();
  }
  return { messages, distinct: ids.size };
}

/** Dead letters as the DLQ summary stored them (every DLQ message becomes one dlq_events row). */
export async function deadLetters(client: ClickHouseClient): Promise<number> {
  const [row] = await (
    await client.query({ query: 'SELECT count() AS n FROM dlq_events', format: 'JSONEachRow' })
  ).json<{ n: string }>();
  return Number(row?.n ?? 0);
}
