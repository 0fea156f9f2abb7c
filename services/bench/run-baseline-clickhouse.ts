// B2, the ClickHouse ceiling: B1's rows, read back and serialised into JSONEachRow bodies before
// the clock starts (B1's mean rows per insert each), then inserted one after the other with the
// same settings (dedup token, best-effort time parsing). No Kafka, no decoding, no serialisation:
// what this ClickHouse takes from one sequential writer.
import { Readable } from 'node:stream';
import type { PipelineConfig } from '../shared/config/config.ts';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import { CEILING_TABLE, PASSTHROUGH_TABLE } from './run-baseline-passthrough.ts';
import type { WorkerProgress } from './worker-progress.ts';

export async function startClickHouseBaseline(
  config: PipelineConfig,
  log: Logger,
  progress: WorkerProgress,
  rowsPerInsert: number,
): Promise<{ stop(): Promise<void> }> {
  const clickhouse = createClickHouse(config, { log });
  const db = config.CLICKHOUSE_DATABASE;
  const result = await clickhouse.query({
    query: `SELECT topic, partition, offset, key, event_time, payload FROM ${db}.${PASSTHROUGH_TABLE} ORDER BY topic, partition, offset`,
    format: 'JSONEachRow',
  });
  const lines = (await result.text()).split('\n').filter((l) => l.length > 0);
  const size = Math.max(1, Math.round(rowsPerInsert));
  const bodies: Array<{ body: string; rows: number }> = [];
  for (let i = 0; i < lines.length; i += size)
    bodies.push({ body: lines.slice(i, i + size).join('\n') + '\n', rows: Math.min(size, lines.length - i) });
  progress.expected = lines.length;
  if (lines.length === 0) progress.finish();
  let stopped = false;
  const done = (async () => {
    progress.started();
    for (const [i, { body, rows }] of bodies.entries()) {
      if (stopped) return;
      const response = await clickhouse.exec({
        query: `INSERT INTO ${db}.${CEILING_TABLE} FORMAT JSONEachRow`,
        values: Readable.from([body], { objectMode: false }),
        clickhouse_settings: {
          insert_deduplicate: 1,
          insert_deduplication_token: `bench-ceiling:${i}`,
          date_time_input_format: 'best_effort',
        },
      });
      response.stream.resume();
      await new Promise((resolve) => response.stream.on('end', resolve).on('close', resolve));
      progress.add(rows);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await done;
      await clickhouse.close();
    },
  };
}
