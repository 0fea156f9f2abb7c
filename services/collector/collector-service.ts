// `journey collect`: the HTTP(S) collection edge. Segment's tracking API (/v1/*) and the vendors'
// webhooks (/webhooks/<vendor>) are verified (collect-request.ts) and written, raw, to the raw
// topics; the answer is 2xx only once Kafka acknowledged the write (acks=all, idempotent), 503
// with Retry-After when it does not within COLLECTOR_ACK_TIMEOUT_MS (the vendor retries), 413 over
// the size limits, 429 over the rate limit, 400/401 when the request is not the vendor's. Also
// /healthz, /readyz and /metrics on the same port. docs/collect.md.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { COLLECTOR_SOURCES } from '../shared/config/config.ts';
import type { PipelineConfig } from '../shared/config/config.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import { collectRequest, isSegmentBatch, routeOf } from './collect-request.ts';
import type { CollectorRules, CollectorSource } from './collect-request.ts';
import { createCollectorMetrics } from './collector-metrics.ts';
import type { CollectorMetrics } from './collector-metrics.ts';
import { GroupedWriter } from './grouped-writer.ts';
import { RateLimiter } from './rate-limiter.ts';
import { secretList } from './verify-signatures.ts';

/** Seconds a vendor is asked to wait before retrying while Kafka is unavailable. */
const RETRY_AFTER_SECONDS = 30;

export interface RunningCollector {
  port: number;
  metrics: CollectorMetrics;
  close(): Promise<void>;
}

export function collectorRulesFrom(config: PipelineConfig): CollectorRules {
  return {
    topics: {
      behavior: config.TOPIC_BEHAVIOR,
      tickets: config.TOPIC_TICKETS,
      surveys: config.TOPIC_SURVEYS,
      billing: config.TOPIC_BILLING,
    },
    segmentWriteKeys: secretList(config.COLLECTOR_SEGMENT_WRITE_KEYS),
    stripeSecrets: secretList(config.COLLECTOR_STRIPE_SECRETS),
    stripeToleranceSeconds: config.COLLECTOR_STRIPE_TOLERANCE_SECONDS,
    zendeskSecrets: secretList(config.COLLECTOR_ZENDESK_SECRETS),
    typeformSecrets: secretList(config.COLLECTOR_TYPEFORM_SECRETS),
    delightedTokens: secretList(config.COLLECTOR_DELIGHTED_TOKENS),
    maxBatchEvents: config.COLLECTOR_MAX_BATCH_EVENTS,
  };
}

class BodyTooLarge extends Error {}

/** The body, gzip undone, refused past `limit` bytes on the wire or once inflated. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'gzip') return body;
  try {
    return gunzipSync(body, { maxOutputLength: limit });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new BodyTooLarge();
    throw err;
  }
}

export async function startCollector(
  config: PipelineConfig,
  log: Logger,
  options: { port?: number; metrics?: CollectorMetrics } = {},
): Promise<RunningCollector> {
  const collectorLog = log.child({ stage: 'collector' });
  const rules = collectorRulesFrom(config);
  const metrics = options.metrics ?? createCollectorMetrics();
  const writer = new GroupedWriter(
    createKafka(config, `${config.KAFKA_CLIENT_ID}-collector-${config.INSTANCE_ID}`, collectorLog),
  );
  const limiters = new Map(
    COLLECTOR_SOURCES.map((source) => [
      source,
      new RateLimiter(config.COLLECTOR_RATE_PER_KEY_BY_SOURCE[source] ?? config.COLLECTOR_RATE_PER_KEY),
    ]),
  );
  const bodyLimit = (source: CollectorSource | null, path: string): number =>
    source === 'segment' && !isSegmentBatch(path)
      ? config.COLLECTOR_SEGMENT_MAX_CALL_BYTES
      : ((source && config.COLLECTOR_MAX_BODY_BYTES_BY_SOURCE[source]) ?? config.COLLECTOR_MAX_BODY_BYTES);
  const timeoutMs = config.COLLECTOR_ACK_TIMEOUT_MS;

  const answer = (
    res: ServerResponse,
    source: CollectorSource | null,
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ): void => {
    metrics.requests.inc({ source: source ?? 'none', status: String(status) });
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(body);
  };
  const refuse = (
    res: ServerResponse,
    source: CollectorSource | null,
    status: number,
    reason: string,
    message: string,
    headers: Record<string, string> = {},
  ): void => {
    metrics.rejections.inc({ source: source ?? 'none', reason });
    answer(res, source, status, JSON.stringify({ error: reason, message }), headers);
  };

  const collect = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const source = routeOf(url.pathname);
    const started = process.hrtime.bigint();
    // The caller's X-Request-Id when it is a plain token (it is echoed in a header and written to
    // Kafka), else a new one.
    const given = req.headers['x-request-id'];
    const requestId =
      typeof given === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(given) ? given : randomUUID();
    // Every answer names the request (support can find its messages by the Kafka header).
    res.setHeader('X-Request-Id', requestId);
    if (req.method !== 'POST')
      return refuse(res, source, 405, 'method_not_allowed', 'POST only', { Allow: 'POST' });
    let body: Buffer;
    const limit = bodyLimit(source, url.pathname);
    try {
      body = await readBody(req, limit);
    } catch (err) {
      if (err instanceof BodyTooLarge)
        return refuse(res, source, 413, 'body_too_large', `at most ${limit} bytes`, {
          Connection: 'close',
        });
      return refuse(res, source, 400, 'unreadable_body', 'the body could not be read (bad gzip?)');
    }
    const outcome = collectRequest(
      {
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        nowMs: Date.now(),
        requestId,
      },
      rules,
    );
    if (outcome.status !== 200)
      return refuse(res, outcome.source, outcome.status, outcome.reason, outcome.message);
    const wait = limiters.get(outcome.source)!.take(outcome.caller, Date.now());
    if (wait > 0)
      return refuse(res, outcome.source, 429, 'rate_limited', 'too many requests', {
        'Retry-After': String(wait),
      });
    const write = writer.write(outcome.messages);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const result = await Promise.race([write.done, timedOut]);
      if (result === 'timeout') throw new Error(`no acknowledgement from Kafka within ${timeoutMs} ms`);
    } catch (err) {
      write.abandon();
      collectorLog.warn(
        { err, source: outcome.source, requestId },
        'not written; answered 503 (the sender retries)',
      );
      return refuse(res, outcome.source, 503, 'kafka_unavailable', 'try again later', {
        'Retry-After': String(RETRY_AFTER_SECONDS),
      });
    } finally {
      clearTimeout(timer);
    }
    metrics.events.inc({ source: outcome.source }, outcome.messages.length);
    metrics.duration.observe({ source: outcome.source }, Number(process.hrtime.bigint() - started) / 1e9);
    answer(res, outcome.source, 200, outcome.response);
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://collector');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
      return;
    }
    if (url.pathname === '/readyz') {
      const problem = writer.problem(Date.now(), timeoutMs);
      res
        .writeHead(problem ? 503 : 200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ ready: !problem, ...(problem ? { kafka: problem } : {}) }));
      return;
    }
    if (url.pathname === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
      return;
    }
    collect(req, res, url).catch((err: unknown) => {
      // Nothing was written (a write error answers 503 above): a bug, logged, and the sender retries.
      collectorLog.error({ err }, 'request failed');
      if (!res.headersSent) refuse(res, routeOf(url.pathname), 500, 'internal_error', 'internal error');
    });
  };

  const server: Server =
    config.COLLECTOR_TLS_CERT_FILE && config.COLLECTOR_TLS_KEY_FILE
      ? createHttpsServer(
          {
            cert: readFileSync(config.COLLECTOR_TLS_CERT_FILE),
            key: readFileSync(config.COLLECTOR_TLS_KEY_FILE),
          },
          handler,
        )
      : createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? config.COLLECTOR_PORT, '0.0.0.0', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  collectorLog.info(
    { port, tls: Boolean(config.COLLECTOR_TLS_CERT_FILE), segmentWriteKeys: rules.segmentWriteKeys.length },
    'collector listening',
  );
  return {
    port,
    metrics,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await writer.close();
    },
  };
}
