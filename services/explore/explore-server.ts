// `journey explore`: the journey explorer, a small read-only web app over ClickHouse (issue #20).
// The pages (services/explore/static: plain HTML and an ES module, charts by ECharts from npm, no
// build step) read one JSON endpoint, /api/metric/<name>, which runs a documented metric query
// with the journey map's parameters under the ones the page asks for — bound as query parameters,
// never in SQL text (metric-request.ts). Every page path serves the same shell; the module renders
// the page the path names. Bound beyond a loopback address, HTTP basic auth with EXPLORE_TOKEN as
// the password is required (refused at start without one).
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { ClickHouseClient } from '@clickhouse/client';
import type { JourneyMap } from '../journey/journey-map.ts';
import { ordinaryStages } from '../journey/journey-map.ts';
import { funnelStepName } from '../journey/settle-markers.ts';
import { mapParamsFor } from '../sink/map-metric-params.ts';
import { metricQueries, runMetricQuery } from '../sink/metric-queries.ts';
import { BadRequest, metricParamsFromSearch } from './metric-request.ts';

export interface ExplorerOptions {
  client: ClickHouseClient;
  database: string;
  map: JourneyMap;
  host: string;
  port: number;
  token?: string | undefined;
}

export interface Explorer {
  url: string;
  close(): Promise<void>;
}

const STATIC = new URL('./static/', import.meta.url);
const ECHARTS = new URL('../../node_modules/echarts/dist/echarts.min.js', import.meta.url);
const FILES: Record<string, [URL, string]> = {
  '/static/app.js': [new URL('app.js', STATIC), 'text/javascript'],
  '/static/pages.js': [new URL('pages.js', STATIC), 'text/javascript'],
  '/static/style.css': [new URL('style.css', STATIC), 'text/css'],
  '/static/echarts.min.js': [ECHARTS, 'text/javascript'],
};
/** The pages: each path serves the shell; app.js renders the page it names. */
export const PAGES = [
  '/',
  '/flow',
  '/dropoffs',
  '/activation',
  '/experiments',
  '/at-risk',
  '/account',
] as const;

export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/** Without a password the explorer answers only requests addressed to a loopback name: a web page
 *  elsewhere cannot read it through DNS rebinding (its requests carry the attacker's host name). */
function loopbackHostHeader(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return isLoopback(host);
}

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const password = Buffer.from(decoded.slice(decoded.indexOf(':') + 1));
  const expected = Buffer.from(token);
  return password.length === expected.length && timingSafeEqual(password, expected);
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'",
  });
  res.end(body);
}

export async function startExplorer(options: ExplorerOptions): Promise<Explorer> {
  if (!isLoopback(options.host) && !options.token)
    throw new Error(
      `EXPLORE_TOKEN is required to serve the explorer on ${options.host} (not a loopback address)`,
    );
  const map = options.map;
  const mapInfo = JSON.stringify({
    name: map.name,
    version: map.version,
    stages: ordinaryStages(map).map((s) => s.id),
    signalStages: map.stages.filter((s) => s.signal).map((s) => s.id),
    funnel: { name: map.funnel.name, steps: map.funnel.steps.map(funnelStepName) },
    activation: map.activation,
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://explorer');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'read-only');
    if (options.token === undefined && !loopbackHostHeader(req))
      return send(
        res,
        403,
        'text/plain',
        'the explorer without EXPLORE_TOKEN answers loopback host names only',
      );
    if (!authorized(req, options.token)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="journey explorer"' });
      res.end();
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    const file = FILES[url.pathname];
    if (file) return send(res, 200, file[1], await readFile(file[0]));
    if (url.pathname === '/api/map') return send(res, 200, 'application/json', mapInfo);
    const metric = /^\/api\/metric\/(\w+)$/.exec(url.pathname)?.[1];
    if (metric !== undefined) {
      const query = metricQueries().get(metric);
      if (!query) return send(res, 404, 'application/json', JSON.stringify({ error: `no metric ${metric}` }));
      try {
        const params = { ...mapParamsFor(query, map), ...metricParamsFromSearch(query, url.searchParams) };
        const rows = await runMetricQuery(options.client, metric, params, { database: options.database });
        return send(res, 200, 'application/json', JSON.stringify(rows));
      } catch (err) {
        const status =
          err instanceof BadRequest || /has no parameter|must be one of/.test(String(err)) ? 400 : 500;
        return send(res, status, 'application/json', JSON.stringify({ error: (err as Error).message }));
      }
    }
    const page = PAGES.find((p) => url.pathname === p || (p !== '/' && url.pathname.startsWith(`${p}/`)));
    if (page) return send(res, 200, 'text/html', await readFile(new URL('index.html', STATIC)));
    return send(res, 404, 'text/plain', 'not found');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain', (err as Error).message);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
