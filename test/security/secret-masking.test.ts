// Secrets never reach the output. The whole pipeline (`journey all`) runs against the local stack
// with recognisable values in every secret — two from the environment, two from mounted files —
// and a password inside CLICKHOUSE_URL (and, for `journey config`, SCHEMA_REGISTRY_URL) — at
// LOG_LEVEL=trace, processes good and bad input, and stops on SIGTERM; `journey config` prints
// the configuration; `journey topics` fails SASL against the plaintext broker. Every byte of
// stdout and stderr is searched for each secret, its base64 and the basic-auth header forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import { freshPipeline } from '../support/pipeline.ts';
import { freePort } from '../support/secure-broker.ts';
import { testKafka, waitFor } from '../support/stack.ts';

const MAIN = new URL('../../services/cli/main.ts', import.meta.url).pathname;

const SECRETS = {
  KAFKA_SASL_PASSWORD: 'kafka-pass-SECRET-7f3a9c',
  SCHEMA_REGISTRY_PASSWORD: 'registry-pass-SECRET-41be0d',
  CLICKHOUSE_PASSWORD: 'clickhouse-pass-SECRET-c2d8e1',
  PII_HMAC_KEY: 'pii-hmac-key-SECRET-9a0b1c2d3e4f',
};

/** Passwords inside URL variables (`scheme://user:password@host`), percent-encoded as written. */
const URL_SECRETS = {
  CLICKHOUSE_URL: { user: 'url-user', password: 'ch-url-pass-SECRET-5e6f%2F70' },
  SCHEMA_REGISTRY_URL: { user: 'sr-url-user', password: 'sr-url-pass-SECRET-8d9e0f' },
};

function withCredentials(url: string, { user, password }: { user: string; password: string }): string {
  return url.replace('://', `://${user}:${password}@`);
}

/** Every form in which a secret could leak: plain, base64, and inside a basic-auth header. */
function leakForms(): Array<[string, string]> {
  const forms: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(SECRETS)) {
    forms.push([name, value], [`${name} (base64)`, Buffer.from(value).toString('base64')]);
  }
  for (const [user, password] of [
    ['default', SECRETS.CLICKHOUSE_PASSWORD],
    ['registry-user', SECRETS.SCHEMA_REGISTRY_PASSWORD],
  ] as const)
    forms.push([`basic auth of ${user}`, Buffer.from(`${user}:${password}`).toString('base64')]);
  for (const [name, { user, password }] of Object.entries(URL_SECRETS)) {
    const decoded = decodeURIComponent(password);
    forms.push(
      [`${name} password`, password],
      [`${name} password (decoded)`, decoded],
      [`${name} password (base64)`, Buffer.from(decoded).toString('base64')],
      [`${name} basic auth`, Buffer.from(`${user}:${decoded}`).toString('base64')],
    );
  }
  return forms;
}

function assertNoSecret(what: string, output: string): void {
  for (const [name, form] of leakForms()) assert.ok(!output.includes(form), `${what} leaks ${name}`);
}

function collect(child: ChildProcess): () => string {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return () => output;
}

async function run(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collect(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, output: output() };
}

test('no secret appears in any log line, error or printed configuration', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'journey-secrets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'pii'), `${SECRETS.PII_HMAC_KEY}\n`);
  writeFileSync(join(dir, 'clickhouse'), SECRETS.CLICKHOUSE_PASSWORD);
  const { env: base, config } = await freshPipeline();
  const env: Record<string, string | undefined> = {
    ...base,
    PII_HMAC_KEY: undefined,
    PII_HMAC_KEY_FILE: join(dir, 'pii'),
    CLICKHOUSE_PASSWORD_FILE: join(dir, 'clickhouse'),
    KAFKA_SASL_PASSWORD: SECRETS.KAFKA_SASL_PASSWORD,
    SCHEMA_REGISTRY_USERNAME: 'registry-user',
    SCHEMA_REGISTRY_PASSWORD: SECRETS.SCHEMA_REGISTRY_PASSWORD,
    HTTP_PORT: String(await freePort()),
    LOG_LEVEL: 'trace',
    // The local ClickHouse front has no password: the URL's credentials are sent and accepted.
    CLICKHOUSE_URL: withCredentials(String(base.CLICKHOUSE_URL), URL_SECRETS.CLICKHOUSE_URL),
  };

  await t.test(
    '`journey config` masks every secret, from env and from files, and URL passwords',
    async () => {
      const registryUrl = withCredentials(String(base.SCHEMA_REGISTRY_URL), URL_SECRETS.SCHEMA_REGISTRY_URL);
      const { code, output } = await run(['config'], { ...env, SCHEMA_REGISTRY_URL: registryUrl });
      assert.equal(code, 0, output);
      assertNoSecret('journey config', output);
      const printed = JSON.parse(output) as Record<string, unknown>;
      for (const name of Object.keys(SECRETS)) assert.equal(printed[name], '***', name);
      assert.equal(printed.CLICKHOUSE_URL, String(base.CLICKHOUSE_URL).replace('://', '://url-user:***@'));
      assert.equal(
        printed.SCHEMA_REGISTRY_URL,
        String(base.SCHEMA_REGISTRY_URL).replace('://', '://sr-url-user:***@'),
      );
    },
  );

  await t.test('a configuration error shows a bad URL with its password masked', async () => {
    const { code, output } = await run(['config'], {
      ...env,
      SCHEMA_REGISTRY_URL: 'http://sr-url-user:sr-url-pass-SECRET-8d9e0f@registry:not-a-port',
    });
    assert.equal(code, 2, output);
    assert.match(output, /SCHEMA_REGISTRY_URL: .*sr-url-user:\*\*\*@registry:not-a-port/);
    assertNoSecret('journey config (invalid)', output);
  });

  await t.test('`journey topics` failing SASL against a plaintext broker prints no password', async () => {
    const { code, output } = await run(['topics'], {
      ...env,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'pipeline',
    });
    assert.notEqual(code, 0, output);
    assert.match(output, /SASL|sasl/);
    assertNoSecret('journey topics', output);
  });

  await t.test('`journey all` at trace level: good and bad input, then SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN, 'all'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = collect(child);
    t.after(() => child.kill('SIGKILL'));
    await waitFor(
      'ready',
      async () => ((await fetch(`http://127.0.0.1:${env.HTTP_PORT}/readyz`)).ok ? true : undefined),
      60_000,
      250,
    );
    const producer = testKafka().producer();
    await producer.connect();
    const now = new Date().toISOString();
    const identify = {
      type: 'identify',
      messageId: 'secret-test-1',
      userId: 'user-secret-1',
      timestamp: now,
      sentAt: now,
      receivedAt: now,
      context: {},
      traits: { email: 'someone@example.com' },
    };
    await producer.send({
      topic: config.TOPIC_BEHAVIOR,
      messages: [
        { key: 'user-secret-1', value: JSON.stringify(identify) },
        { key: 'bad', value: '{"not json' },
      ],
    });
    await producer.disconnect();
    const clickhouse = createClickHouse(config);
    t.after(() => clickhouse.close());
    await waitFor(
      'the event in ClickHouse',
      async () => {
        const rows = await (
          await clickhouse.query({ query: 'SELECT count() AS c FROM journey_events', format: 'JSONEachRow' })
        ).json<{ c: string }>();
        return Number(rows[0]?.c) > 0 ? true : undefined;
      },
      60_000,
    );
    await waitFor('the dead letter logged', () => (output().includes('sent to DLQ') ? true : undefined));
    child.kill('SIGTERM');
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 0, output().slice(-2000));
    assert.match(output(), /"level":20/, 'debug lines were written (the scan saw real output)');
    assertNoSecret('journey all', output());
  });
});
