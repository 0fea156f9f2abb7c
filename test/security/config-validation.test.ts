// Startup validation, seen from outside: `journey ingest` with a broken environment prints every
// problem with its variable name, masks secret values, exits 2, and never opens a connection —
// the broker, registry and ClickHouse addresses point at listeners that count connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { freePort } from '../support/secure-broker.ts';

const MAIN = new URL('../../services/cli/main.ts', import.meta.url).pathname;

async function countingListener(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : 0,
    connections: () => connections,
  };
}

test('`journey ingest` with a broken environment lists every bad variable, exits 2, connects to nothing', async (t) => {
  const listeners = [await countingListener(), await countingListener(), await countingListener()];
  t.after(() => listeners.forEach((l) => l.server.close()));
  const [kafka, registry, clickhouse] = listeners as [
    (typeof listeners)[0],
    (typeof listeners)[0],
    (typeof listeners)[0],
  ];
  const httpPort = await freePort();
  const secret = 'too-short-Kx9';
  const child = spawn(process.execPath, [MAIN, 'ingest'], {
    env: {
      PATH: process.env.PATH ?? '',
      KAFKA_BROKERS: `127.0.0.1:${kafka.port}`,
      SCHEMA_REGISTRY_URL: `http://127.0.0.1:${registry.port}/apis/ccompat/v7`,
      CLICKHOUSE_URL: `http://127.0.0.1:${clickhouse.port}`,
      HTTP_PORT: String(httpPort),
      PII_HMAC_KEY: secret,
      INGEST_MAX_DEPTH: 'NaN',
      KAFKA_SSL: 'maybe',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      CLICKHOUSE_DATABASE: 'x; DROP TABLE y',
      CLICKHOUSE_PASSWORD_FILE: '/nonexistent/clickhouse-password',
      TOPIC_BEHAVIOR: 'bad topic name',
      LOG_LEVEL: 'loud',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);

  assert.equal(code, 2, stderr);
  assert.match(stderr, /^invalid configuration:/);
  for (const line of [
    /^ {2}PII_HMAC_KEY: .*\(got \*\*\*\)$/m,
    /^ {2}INGEST_MAX_DEPTH: .*\(got "NaN"\)$/m,
    /^ {2}KAFKA_SSL: .*\(got "maybe"\)$/m,
    /^ {2}CLICKHOUSE_DATABASE: a plain SQL identifier/m,
    /^ {2}CLICKHOUSE_PASSWORD_FILE: cannot read/m,
    /^ {2}TOPIC_BEHAVIOR: letters, digits, dot, dash and underscore only/m,
    /^ {2}LOG_LEVEL: /m,
    /^ {2}KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is set$/m,
    /^ {2}KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set$/m,
  ])
    assert.match(stderr, line);
  assert.equal(stderr.trim().split('\n').length, 10, `one line per problem:\n${stderr}`);
  assert.ok(!stderr.includes(secret) && !stdout.includes(secret), 'secret printed');
  assert.equal(stdout, '');
  assert.deepEqual(
    listeners.map((l) => l.connections()),
    [0, 0, 0],
    'a connection was attempted before validation finished',
  );
  // Nothing was started either: the health port is still free.
  const probe = createServer().listen(httpPort, '127.0.0.1');
  await once(probe, 'listening');
  probe.close();
});

test('a valid environment passes validation (the same check, so the test above can fail)', async () => {
  const child = spawn(process.execPath, [MAIN, 'config'], {
    env: { PATH: process.env.PATH ?? '', PII_HMAC_KEY: 'a-valid-key-of-sufficient-length' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  assert.equal(code, 0);
  assert.equal((JSON.parse(stdout) as { PII_HMAC_KEY: string }).PII_HMAC_KEY, '***');
});
