// The ClickHouse writer: one JSONEachRow insert per table per batch, the tables concurrently (the
// `first` ones, concurrently, before the rest), each with an
// insert_deduplication_token derived from the source topic/partition/offset range and the table,
// so a redelivered batch is stored once (tables keep a non-replicated dedup window; dependent
// materialized views deduplicate too). Retryable faults back off exponentially; after the budget
// ClickHouseUnavailableError tells the shell to crash without committing offsets. Permanent faults
// throw ClickHouseRejectedError at once, except a value a table refuses (ROW_DATA_CODES): then the
// refused rows are isolated and handed to onRejectedRow (the journey dead-letters them).
import type { ClickHouseClient } from '@clickhouse/client';
import {
  ClickHouseRejectedError,
  ClickHouseUnavailableError,
  classifyClickHouseError,
  isRowDataError,
} from './clickhouse-errors.ts';

export interface BatchOrigin {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  /** Other batches whose rows go in the same inserts (insert-rounds.ts): named in the token too. */
  with?: BatchOrigin[];
}

export interface WriteBatchOptions {
  database: string;
  origin: BatchOrigin;
  /** Retries after the first attempt (default 8: ~25 s of backoff in total). */
  retries?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  onInsert?: (table: string, rows: number, seconds: number) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Tables stored before any other starts (e.g. identity before the events it re-attributes). */
  first?: ReadonlySet<string>;
  /** Checked before every insert attempt; throwing stops the write at once, never retried (the
   *  journey refuses to insert once it may no longer own its partition). */
  beforeInsert?: () => void;
  /** A row the table refuses for its values (ROW_DATA_CODES): with this callback the batch's
   *  other rows are stored (the insert is split in halves until the refused rows stand alone) and
   *  each refused row is handed here, to be dead-lettered; without it the insert throws. */
  onRejectedRow?: (table: string, row: object, err: ClickHouseRejectedError) => void;
}

export type WriteOptions = Omit<WriteBatchOptions, 'origin'>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const dedupToken = (origin: BatchOrigin, table: string): string =>
  `${[origin, ...(origin.with ?? [])]
    .map((o) => `${o.topic}:${o.partition}:${o.firstOffset}-${o.lastOffset}`)
    .join('+')}:${table}`;

/** Delay before retry number `attempt` (0-based): initial * 2^attempt, capped. */
export const backoffMs = (attempt: number, initialMs = 100, maxMs = 30_000): number =>
  Math.min(maxMs, initialMs * 2 ** attempt);

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function insertTable(
  client: ClickHouseClient,
  table: string,
  rows: ReadonlyArray<object>,
  options: WriteBatchOptions,
): Promise<void> {
  if (!IDENTIFIER.test(table)) throw new Error(`invalid table name ${JSON.stringify(table)}`);
  const started = process.hrtime.bigint();
  const token = dedupToken(options.origin, table);
  try {
    await insertWithRetries(client, table, rows, token, options);
  } catch (err) {
    if (!(err instanceof ClickHouseRejectedError && isRowDataError(err) && options.onRejectedRow)) throw err;
    await isolateRejectedRows(client, table, rows, token, options, err);
  }
  options.onInsert?.(table, rows.length, Number(process.hrtime.bigint() - started) / 1e9);
}

async function insertWithRetries(
  client: ClickHouseClient,
  table: string,
  rows: ReadonlyArray<object>,
  token: string,
  options: WriteBatchOptions,
): Promise<void> {
  const sleep = options.sleep ?? realSleep;
  const retries = options.retries ?? 8;
  for (let attempt = 0; ; attempt++) {
    options.beforeInsert?.();
    try {
      await client.insert({
        table: `${options.database}.${table}`,
        values: rows as object[],
        format: 'JSONEachRow',
        clickhouse_settings: {
          insert_deduplicate: 1,
          insert_deduplication_token: token,
          deduplicate_blocks_in_dependent_materialized_views: 1,
          date_time_input_format: 'best_effort',
        },
      });
      return;
    } catch (err) {
      if (classifyClickHouseError(err) === 'permanent') throw new ClickHouseRejectedError(table, err);
      if (attempt >= retries) throw new ClickHouseUnavailableError(table, attempt + 1, { cause: err });
      await sleep(backoffMs(attempt, options.initialBackoffMs, options.maxBackoffMs));
    }
  }
}

/** The insert was refused for a value: split it in halves, each with a token derived from the
 *  batch's (a redelivery splits the same way and is deduplicated the same way), until each refused
 *  row stands alone. One bad row among n costs about 2·log2(n) inserts. */
async function isolateRejectedRows(
  client: ClickHouseClient,
  table: string,
  rows: ReadonlyArray<object>,
  token: string,
  options: WriteBatchOptions,
  err: ClickHouseRejectedError,
): Promise<void> {
  if (rows.length === 1) return options.onRejectedRow!(table, rows[0]!, err);
  const middle = Math.ceil(rows.length / 2);
  for (const [half, part] of [
    [rows.slice(0, middle), 'a'],
    [rows.slice(middle), 'b'],
  ] as const) {
    const halfToken = `${token}/${part}`;
    try {
      await insertWithRetries(client, table, half, halfToken, options);
    } catch (halfErr) {
      if (!(halfErr instanceof ClickHouseRejectedError && isRowDataError(halfErr))) throw halfErr;
      await isolateRejectedRows(client, table, half, halfToken, options, halfErr);
    }
  }
}

/** Inserts concurrently; waits for all of them (none left running) and throws the first failure. */
async function insertAll(
  client: ClickHouseClient,
  tables: Array<[string, ReadonlyArray<object>]>,
  options: WriteBatchOptions,
): Promise<void> {
  const results = await Promise.allSettled(
    tables.map(([table, rows]) => insertTable(client, table, rows, options)),
  );
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export async function writeBatch(
  client: ClickHouseClient,
  rowsByTable: ReadonlyMap<string, ReadonlyArray<object>>,
  options: WriteBatchOptions,
): Promise<void> {
  if (!IDENTIFIER.test(options.database))
    throw new Error(`invalid database name ${JSON.stringify(options.database)}`);
  const nonEmpty = [...rowsByTable].filter(([, rows]) => rows.length > 0);
  const first = options.first ?? new Set<string>();
  await insertAll(
    client,
    nonEmpty.filter(([table]) => first.has(table)),
    options,
  );
  await insertAll(
    client,
    nonEmpty.filter(([table]) => !first.has(table)),
    options,
  );
}

/** The journey and DLQ shells' form: origin as its own argument. */
export function writeRows(
  client: ClickHouseClient,
  rowsByTable: ReadonlyMap<string, ReadonlyArray<object>>,
  origin: BatchOrigin,
  options: WriteOptions,
): Promise<void> {
  return writeBatch(client, rowsByTable, { ...options, origin });
}
