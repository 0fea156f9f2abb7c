// The ClickHouse writer: one insert per table per batch, each with an insert_deduplication_token
// derived from the source topic/partition/offset range and the table, so a redelivered batch is
// stored once (tables keep a dedup window). Retryable faults back off exponentially; after the
// budget the batch fails without committing offsets.
import type { ClickHouseClient } from '@clickhouse/client';
import { ClickHouseUnavailableError, classifyClickHouseError } from './clickhouse-errors.ts';

export interface BatchOrigin {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
}

export interface WriteOptions {
  database: string;
  retries?: number;
  initialBackoffMs?: number;
  onInsert?: (table: string, rows: number, seconds: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

export const dedupToken = (origin: BatchOrigin, table: string): string =>
  `${origin.topic}:${origin.partition}:${origin.firstOffset}-${origin.lastOffset}:${table}`;

export async function writeRows(
  client: ClickHouseClient,
  rowsByTable: ReadonlyMap<string, ReadonlyArray<object>>,
  origin: BatchOrigin,
  options: WriteOptions,
): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const retries = options.retries ?? 8;
  for (const [table, rows] of rowsByTable) {
    if (rows.length === 0) continue;
    const started = process.hrtime.bigint();
    for (let attempt = 0; ; attempt++) {
      try {
        await client.insert({
          table: `${options.database}.${table}`,
          values: rows as object[],
          format: 'JSONEachRow',
          clickhouse_settings: {
            insert_deduplication_token: dedupToken(origin, table),
            date_time_input_format: 'best_effort',
          },
        });
        break;
      } catch (err) {
        if (classifyClickHouseError(err) === 'permanent') throw err;
        if (attempt >= retries) throw new ClickHouseUnavailableError(table, attempt + 1, { cause: err });
        await sleep(Math.min(30_000, (options.initialBackoffMs ?? 100) * 2 ** attempt));
      }
    }
    options.onInsert?.(table, rows.length, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
