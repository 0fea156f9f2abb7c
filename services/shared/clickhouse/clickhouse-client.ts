// The one place that builds a ClickHouse client. `CLICKHOUSE_URL` is either an HTTP(S) URL of a
// ClickHouse server (production; user/password and a CA for TLS from config) or `chdb:<dir>` for
// the real ClickHouse engine embedded in-process through npm chdb (the one-process local run).
// Either way the rest of the code sees @clickhouse/client's ClickHouseClient.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient, Logger as ClickHouseLogger } from '@clickhouse/client';
import type * as ChdbConnectionModule from 'chdb/connection';
import type { PipelineConfig } from '../config/config.ts';
import { createLogger } from '../telemetry/logger.ts';
import type { Logger } from '../telemetry/logger.ts';

type ClickHouseAccess = Pick<
  PipelineConfig,
  'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'CLICKHOUSE_CA_FILE' | 'CLICKHOUSE_DATABASE'
>;

const require = createRequire(import.meta.url);

/** @clickhouse/client logs with console.* by default: unstructured, and past the secret masking.
 *  Route its warnings and errors through pino (and so through maskSecrets) instead. */
function clickhouseLogClass(log: Logger): new () => ClickHouseLogger {
  const child = log.child({ module: 'clickhouse-client' });
  return class {
    trace(): void {}
    debug(): void {}
    info(): void {}
    warn({ module, message, args, err }: Parameters<ClickHouseLogger['warn']>[0]): void {
      child.warn({ clickhouseModule: module, ...args, ...(err ? { err } : {}) }, message);
    }
    // Every failed request also reaches our code as the rejected promise, which decides what it
    // means and logs that (retried, a row dead-lettered, the stage stopped): the client's own line
    // would say "error" for a retry that then succeeded.
    error({ module, message, args, err }: Parameters<ClickHouseLogger['error']>[0]): void {
      child.debug({ clickhouseModule: module, ...args, err }, message);
    }
  };
}

/** The embedded engine: a development dependency (npm chdb), absent from the production image. */
function loadChdb(): typeof ChdbConnectionModule {
  try {
    return require('chdb/connection') as typeof ChdbConnectionModule; // loaded only when used
  } catch (err) {
    if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
    throw new Error(
      'CLICKHOUSE_URL=chdb:… needs the embedded engine (npm chdb), a development dependency that the production image leaves out: point CLICKHOUSE_URL at a ClickHouse server',
      { cause: err },
    );
  }
}

export function createClickHouse(
  config: ClickHouseAccess,
  options: { database?: string | null; log?: Logger } = {},
): ClickHouseClient {
  const log = { LoggerClass: clickhouseLogClass(options.log ?? createLogger('warn')) };
  const database = options.database === null ? undefined : (options.database ?? config.CLICKHOUSE_DATABASE);
  if (config.CLICKHOUSE_URL.startsWith('chdb:')) {
    const { createChdbConnection } = loadChdb();
    const path = config.CLICKHOUSE_URL.slice('chdb:'.length) || ':memory:';
    return createClient({
      connection: createChdbConnection({ path }),
      log,
      ...(database ? { database } : {}),
    } as Parameters<typeof createClient>[0]);
  }
  return createClient({
    url: config.CLICKHOUSE_URL,
    username: config.CLICKHOUSE_USER,
    password: config.CLICKHOUSE_PASSWORD ?? '',
    ...(database ? { database } : {}),
    ...(config.CLICKHOUSE_CA_FILE ? { tls: { ca_cert: readFileSync(config.CLICKHOUSE_CA_FILE) } } : {}),
    request_timeout: 30_000,
    log,
    compression: { request: false, response: false },
  });
}
