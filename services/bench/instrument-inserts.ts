// Observes every ClickHouse insert of the process under measurement without touching the
// services: @clickhouse/client's insert is wrapped on the client class's prototype (every client
// the process creates shares it), recording per table the inserts, rows and time, and calling
// `onAck` with the rows once the server acknowledged them (for event -> queryable latency).
import { createClient } from '@clickhouse/client';
import type { InsertStats } from './worker-protocol.ts';

type InsertFn = (params: { table: string; values?: unknown }) => Promise<unknown>;

export function instrumentInserts(
  onAck: (table: string, values: unknown, ackAtMs: number) => void = () => undefined,
): Map<string, InsertStats> {
  const stats = new Map<string, InsertStats>();
  const probe = createClient({ url: 'http://127.0.0.1:1' });
  const proto = Object.getPrototypeOf(probe) as { insert: InsertFn };
  void probe.close();
  const original = proto.insert;
  proto.insert = async function (this: unknown, params) {
    const started = performance.now();
    const result = await original.call(this, params);
    const table = params.table.slice(params.table.lastIndexOf('.') + 1);
    let entry = stats.get(table);
    if (!entry) stats.set(table, (entry = { inserts: 0, rows: 0, seconds: 0 }));
    entry.inserts++;
    entry.rows += Array.isArray(params.values) ? params.values.length : 0;
    entry.seconds += (performance.now() - started) / 1000;
    onAck(table, params.values, Date.now());
    return result;
  };
  return stats;
}
