// ClickHouse over HTTPS with user/password: a second local ClickHouse front (the chdb engine, the
// same server as the stack's) serving TLS from a throw-away CA and requiring a password, started
// and stopped by this test. The pipeline's client, from CLICKHOUSE_URL / CLICKHOUSE_USER /
// CLICKHOUSE_PASSWORD_FILE / CLICKHOUSE_CA_FILE, migrates and queries; a wrong password fails with
// ClickHouse's authentication error (code 516) and is not printed; without the CA it is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { freePort } from '../support/secure-broker.ts';
import { waitFor } from '../support/stack.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const MAIN = join(ROOT, 'services/cli/main.ts');

test('ClickHouse over HTTPS with a password: works with the CA and password, refuses otherwise', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'journey-clickhouse-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('bash', [join(ROOT, 'deploy/local/secure-kafka.sh'), 'certs', dir], { stdio: 'ignore' });
  const password = 'ch-tls-SECRET-5d1e77';
  writeFileSync(join(dir, 'password'), `${password}\n`);
  const port = await freePort();
  const front = spawn(process.execPath, [join(ROOT, 'deploy/local/clickhouse-http/server.ts')], {
    env: {
      PATH: process.env.PATH ?? '',
      CHDB_DATA_DIR: join(dir, 'data'),
      CHDB_HTTP_PORT: String(port),
      CHDB_HTTP_USER: 'pipeline',
      CHDB_HTTP_PASSWORD: password,
      CHDB_HTTP_TLS_CERT: join(dir, 'certs/broker.pem'),
      CHDB_HTTP_TLS_KEY: join(dir, 'certs/broker.key'),
    },
    stdio: 'ignore',
  });
  t.after(async () => {
    if (front.exitCode === null) {
      front.kill('SIGTERM');
      await once(front, 'exit');
    }
  });
  const access = {
    CLICKHOUSE_URL: `https://127.0.0.1:${port}`,
    CLICKHOUSE_USER: 'pipeline',
    CLICKHOUSE_PASSWORD: password,
    CLICKHOUSE_CA_FILE: join(dir, 'certs/ca.pem'),
    CLICKHOUSE_DATABASE: 'tls_test',
  };
  const client = createClickHouse(access, { database: null, log: createLogger('silent') });
  t.after(() => client.close());
  await waitFor(
    'the HTTPS front',
    async () => ((await client.ping()).success ? true : undefined),
    60_000,
    200,
  );

  const env = {
    PATH: process.env.PATH ?? '',
    PII_HMAC_KEY: 'clickhouse-tls-test-hmac-key-0123',
    CLICKHOUSE_URL: access.CLICKHOUSE_URL,
    CLICKHOUSE_USER: access.CLICKHOUSE_USER,
    CLICKHOUSE_PASSWORD_FILE: join(dir, 'password'),
    CLICKHOUSE_CA_FILE: access.CLICKHOUSE_CA_FILE,
    CLICKHOUSE_DATABASE: access.CLICKHOUSE_DATABASE,
    LOG_LEVEL: 'debug',
  };
  const migrate = async (
    overrides: Record<string, string>,
  ): Promise<{ code: number | null; output: string }> => {
    const child = spawn(process.execPath, [MAIN, 'migrate'], {
      env: { ...env, ...overrides },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, output };
  };

  await t.test('`journey migrate` over HTTPS with the password from a file', async () => {
    const { code, output } = await migrate({});
    assert.equal(code, 0, output);
    assert.match(output, /applied: /);
    assert.ok(!output.includes(password), 'password printed');
    const rows = await (
      await client.query({
        query: "SELECT count() AS c FROM system.tables WHERE database = 'tls_test'",
        format: 'JSONEachRow',
      })
    ).json<{ c: string }>();
    assert.ok(Number(rows[0]?.c) > 5);
  });

  await t.test('a wrong password: authentication error 516, exit 1, password not printed', async () => {
    const wrong = 'wrong-ch-pass-Yy3k';
    const { code, output } = await migrate({ CLICKHOUSE_PASSWORD_FILE: '', CLICKHOUSE_PASSWORD: wrong });
    assert.equal(code, 1, output);
    assert.match(output, /516|AUTHENTICATION_FAILED|Authentication failed/);
    assert.ok(!output.includes(wrong) && !output.includes(password), 'password printed');
  });

  await t.test('without the CA (or with another one) the server certificate is refused', async () => {
    for (const ca of [undefined, join(dir, 'certs/rogue-ca.pem')]) {
      const untrusting = createClickHouse(
        { ...access, CLICKHOUSE_CA_FILE: ca },
        { database: null, log: createLogger('silent') },
      );
      try {
        const result = await untrusting.ping();
        assert.equal(result.success, false);
        assert.match(String(!result.success && result.error), /self-signed certificate|unable to verify/);
      } finally {
        await untrusting.close();
      }
    }
  });
});
