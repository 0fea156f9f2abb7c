// A local ClickHouse HTTP front for the real ClickHouse engine embedded in npm `chdb`.
// DEV/TEST FIXTURE ONLY: it lets several pipeline processes share one ClickHouse database and
// lets tests stop "ClickHouse" to inject an outage. Production points at a ClickHouse server.
//
//   node deploy/local/clickhouse-http/server.ts
//   env: CHDB_HTTP_HOST (127.0.0.1), CHDB_HTTP_PORT (18123), CHDB_DATA_DIR (required),
//        CHDB_HTTP_USER / CHDB_HTTP_PASSWORD (optional basic auth),
//        CHDB_HTTP_TLS_CERT / CHDB_HTTP_TLS_KEY (optional: serve HTTPS)
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Session } from 'chdb';
import { BadRequestError, parseEngineRequest, settingStatements } from './http-request.ts';

interface FrontOptions {
  host: string;
  port: number;
  dataDir: string;
  user: string | null;
  password: string | null;
  tlsCert: string | null;
  tlsKey: string | null;
}

// HTTP status the real server gives for a few exception codes; everything else is 500.
const STATUS_BY_CODE: Record<number, number> = { 60: 404, 62: 400, 81: 404, 192: 401, 516: 401 };
const CODE_IN_MESSAGE = /Code: (\d+)/;

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function credentials(req: IncomingMessage, url: URL): { user: string; password: string } {
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return {
    user: String(req.headers['x-clickhouse-user'] ?? url.searchParams.get('user') ?? 'default'),
    password: String(req.headers['x-clickhouse-key'] ?? url.searchParams.get('password') ?? ''),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
}

export function startClickHouseFront(
  options: FrontOptions,
): Promise<{ close(): Promise<void>; port: number }> {
  const session = new Session(options.dataDir);
  // Real servers quote 64-bit integers in JSON formats by default; the embedded engine does not.
  const serverDefaults = session.queryAsync('SET output_format_json_quote_64bit_integers = 1', {
    format: 'TabSeparated',
  });
  let queue: Promise<unknown> = serverDefaults;
  // The embedded engine is one session: run statements one at a time so per-query settings
  // and the current database never bleed between concurrent requests.
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const sendError = (res: ServerResponse, code: number, message: string): void => {
    const text = message.startsWith('Code:') ? message : `Code: ${code}. DB::Exception: ${message}`;
    res.writeHead(STATUS_BY_CODE[code] ?? 500, {
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Exception-Code': String(code),
    });
    res.end(`${text} (version chdb)\n`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/ping' || (url.pathname === '/' && req.method === 'GET' && !url.search)) {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('Ok.\n');
      return;
    }
    if (options.password !== null) {
      const given = credentials(req, url);
      if (given.user !== options.user || !safeEqual(given.password, options.password)) {
        sendError(
          res,
          516,
          `${given.user}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)`,
        );
        return;
      }
    }
    const body = await readBody(req);
    const request = parseEngineRequest(url, body, String(req.headers['accept-encoding'] ?? ''));
    const queryId = request.queryId ?? randomUUID();
    const { set, reset } = settingStatements(request.settings);
    const result = await serialized(async () => {
      if (request.database)
        await session.queryAsync(`USE ${request.database.replace(/[^A-Za-z0-9_]/g, '')}`, {
          format: 'TabSeparated',
        });
      for (const statement of set) await session.queryAsync(statement, { format: 'TabSeparated' });
      try {
        return Object.keys(request.params).length > 0
          ? await session.queryBindAsync(request.sql, request.params, { format: request.format })
          : await session.queryAsync(request.sql, { format: request.format });
      } finally {
        for (const statement of reset) await session.queryAsync(statement, { format: 'TabSeparated' });
        if (request.database) await session.queryAsync('USE default', { format: 'TabSeparated' });
      }
    });
    const payload = Buffer.from(result.bytes());
    const summary = {
      read_rows: String(result.rowsRead ?? 0),
      read_bytes: String(result.bytesRead ?? 0),
      written_rows: '0',
      written_bytes: '0',
      total_rows_to_read: '0',
      result_rows: String(result.rowsRead ?? 0),
      result_bytes: String(payload.length),
      elapsed_ns: String(Math.round((result.elapsed ?? 0) * 1e9)),
    };
    const headers: Record<string, string> = {
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Query-Id': queryId,
      'X-ClickHouse-Format': request.format,
      'X-ClickHouse-Timezone': 'UTC',
      'X-ClickHouse-Summary': JSON.stringify(summary),
    };
    if (request.gzipResponse) {
      headers['Content-Encoding'] = 'gzip';
      res.writeHead(200, headers).end(gzipSync(payload));
    } else {
      res.writeHead(200, headers).end(payload);
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof BadRequestError) return sendError(res, 62, message);
      const code = Number(
        (err as { clickhouseCode?: number }).clickhouseCode ?? CODE_IN_MESSAGE.exec(message)?.[1] ?? 1001,
      );
      sendError(res, code, message);
    });
  };
  const server =
    options.tlsCert && options.tlsKey
      ? createHttpsServer(
          { cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey) },
          listener,
        )
      : createHttpServer(listener);
  server.keepAliveTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : options.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => {
              session.close();
              done();
            });
            server.closeAllConnections();
          }),
      });
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = process.env;
  if (!env.CHDB_DATA_DIR) {
    console.error('CHDB_DATA_DIR is required (the directory holding the ClickHouse data)');
    process.exit(2);
  }
  const front = await startClickHouseFront({
    host: env.CHDB_HTTP_HOST ?? '127.0.0.1',
    port: Number(env.CHDB_HTTP_PORT ?? 18123),
    dataDir: env.CHDB_DATA_DIR,
    user: env.CHDB_HTTP_USER ?? 'default',
    password: env.CHDB_HTTP_PASSWORD ?? null,
    tlsCert: env.CHDB_HTTP_TLS_CERT ?? null,
    tlsKey: env.CHDB_HTTP_TLS_KEY ?? null,
  });
  console.log(
    JSON.stringify({ msg: 'clickhouse http front listening', port: front.port, dataDir: env.CHDB_DATA_DIR }),
  );
  const stop = (): void => {
    front.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
