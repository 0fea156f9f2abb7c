// A ClickHouseClient on the real ClickHouse engine embedded in-process (npm chdb), for tests.
// The engine is a process singleton: one session path per process, and node:test runs each test
// file in its own process, so each test file calls this once with a fresh temp dir.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';

export function createChdbTestClient(
  dir: string = mkdtempSync(join(tmpdir(), 'sink-chdb-')),
): ClickHouseClient {
  return createClient({ connection: createChdbConnection({ path: dir }) } as Parameters<
    typeof createClient
  >[0]);
}
