// Group commit for ClickHouse inserts: batches of several partitions handled at once (the
// journey's state step with JOURNEY_PARTITIONS_CONCURRENTLY > 1) share one insert per table
// instead of one each. The first write goes out after one turn of the event loop (with the writes
// of the batches computed meanwhile: one fetch's batches, typically); writes that come while a
// round is being inserted wait for it and go together in the next one — under a light load each
// batch is inserted alone, with no added wait; under a heavy one the inserts per second stay near
// the tables' count, whatever the partitions (fewer parts for ClickHouse to merge, fewer round
// trips).
// A round's dedup token names every batch in it (write-rows.ts dedupToken), so a retried insert is
// stored once. A batch redelivered after its transaction failed is in the same round again only
// with the same batches (a fetch redelivered whole): the same token, so ClickHouse keeps the first
// attempt's rows, computed from the same input on the same restored state. Otherwise it relies, as
// any redelivery with other offsets, on the restore's replay filter (journey_events) and the
// tables' replacing keys. A round fails or succeeds as a whole: each of its batches is
// told, and rows ClickHouse refuses are handed back to the batch they came from. GDPR erasures run
// alone(): between rounds, never beside one.
import type { ClickHouseClient } from '@clickhouse/client';
import { writeRows } from './write-rows.ts';
import type { BatchOrigin, WriteOptions } from './write-rows.ts';

type RowsByTable = ReadonlyMap<string, ReadonlyArray<object>>;
export type RowWriter = (rows: RowsByTable, origin: BatchOrigin, options: WriteOptions) => Promise<void>;
type RoundWriter = (
  client: ClickHouseClient,
  rows: RowsByTable,
  origin: BatchOrigin,
  options: WriteOptions,
) => Promise<void>;

interface Pending {
  rows: RowsByTable;
  origin: BatchOrigin;
  options: WriteOptions;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class InsertRounds {
  private pending: Pending[] = [];
  private flushing = false;
  /** The round being inserted (settled-safe). */
  private current: Promise<unknown> = Promise.resolve();
  /** Work that must run with no insert in flight (alone()): how many, and the last one's end. */
  private holders = 0;
  private hold: Promise<unknown> = Promise.resolve();

  private readonly clickhouse: ClickHouseClient;
  /** The writer of one round (writeRows; a test's recorder). */
  private readonly writeRound: RoundWriter;

  constructor(clickhouse: ClickHouseClient, writeRound: RoundWriter = writeRows) {
    this.clickhouse = clickhouse;
    this.writeRound = writeRound;
  }

  /** Resolves once the batch's rows are stored (with those of the batches in its round). */
  readonly write: RowWriter = (rows, origin, options) =>
    new Promise<void>((resolve, reject) => {
      this.pending.push({ rows, origin, options, resolve, reject });
      if (!this.flushing) void this.flush();
    });

  /** Runs `work` with no round in flight: after the round being inserted, before the next. A GDPR
   *  erasure rebuilds account_activity_daily from journey_events (recompute-activity-rollup.ts):
   *  an insert beside it would be counted by the rebuild and by the materialized view. */
  async alone<T>(work: () => Promise<T>): Promise<T> {
    const before = this.hold;
    let release!: () => void;
    this.hold = new Promise<void>((resolve) => (release = resolve));
    this.holders++;
    try {
      await before;
      await this.current;
      return await work();
    } finally {
      this.holders--;
      release();
    }
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    // The batches of one fetch are computed one after another on this thread, each up to its
    // write() with nothing but settled awaits between: one turn of the event loop lets those already
    // under way join the first round, instead of each going alone (no timer, no added wait beyond
    // the computing they do anyway).
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      if (this.holders > 0) {
        await this.hold;
        continue;
      }
      const round = this.pending;
      this.pending = [];
      let inserted: Promise<void>;
      try {
        inserted = this.insert(round);
      } catch (err) {
        // Thrown before any I/O: the round fails as one, and the writer does not stay "flushing".
        inserted = Promise.reject(err);
      }
      this.current = inserted.catch(() => undefined);
      try {
        await inserted;
        for (const p of round) p.resolve();
      } catch (err) {
        for (const p of round) p.reject(err);
      }
    }
    this.flushing = false;
  }

  private insert(round: Pending[]): Promise<void> {
    if (round.length === 1) {
      const [only] = round;
      return this.writeRound(this.clickhouse, only!.rows, only!.origin, only!.options);
    }
    const merged = new Map<string, object[]>();
    const from = new Map<object, Pending>();
    for (const p of round)
      for (const [table, rows] of p.rows) {
        let into = merged.get(table);
        if (!into) merged.set(table, (into = []));
        for (const row of rows) {
          into.push(row);
          from.set(row, p);
        }
      }
    const [lead, ...rest] = round;
    const base = lead!.options;
    const options: WriteOptions = {
      ...base,
      // A zombie's batch stops the round: every batch in it belongs to the same member.
      beforeInsert: () => {
        for (const p of round) p.options.beforeInsert?.();
      },
      ...(round.some((p) => p.options.onRejectedRow)
        ? {
            onRejectedRow: (table, row, err) => {
              const owner = from.get(row);
              if (!owner?.options.onRejectedRow) throw err;
              owner.options.onRejectedRow(table, row, err);
            },
          }
        : {}),
    };
    const origin: BatchOrigin = { ...lead!.origin, with: rest.map((p) => p.origin) };
    return this.writeRound(this.clickhouse, merged, origin, options);
  }
}
