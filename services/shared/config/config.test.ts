import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigError } from './config.ts';
import { SECRET_VARIABLES, URL_VARIABLES, loadConfig } from './config.ts';
import { printableConfig } from './printable-config.ts';
import { maskSecrets } from './secrets.ts';

const base = { PII_HMAC_KEY: 'a-test-key-of-32-characters-long' };

test('defaults fill every optional variable', () => {
  const config = loadConfig(base);
  assert.equal(config.KAFKA_BROKERS, '127.0.0.1:19092');
  assert.equal(config.INGEST_MAX_DEPTH, 16);
  assert.equal(config.PII_KEEP_RAW, false);
});

test('all problems are reported at once, with variable names, secrets masked', () => {
  assert.throws(
    () =>
      loadConfig({
        PII_HMAC_KEY: 'short',
        INGEST_MAX_DEPTH: 'NaN',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        CLICKHOUSE_DATABASE: 'x; DROP TABLE y',
      }),
    (err: ConfigError) => {
      const text = err.problems.join('\n');
      assert.match(text, /PII_HMAC_KEY:/);
      assert.match(text, /INGEST_MAX_DEPTH:/);
      assert.match(text, /KAFKA_SASL_USERNAME: required/);
      assert.match(text, /CLICKHOUSE_DATABASE:/);
      assert.doesNotMatch(text, /short/);
      return true;
    },
  );
});

test('a missing required secret names the variable', () => {
  assert.throws(() => loadConfig({}), /PII_HMAC_KEY: required/);
});

test('secrets can come from mounted files and are masked in any text', () => {
  const config = loadConfig({ PII_HMAC_KEY_FILE: '/run/secrets/pii' }, (path) => {
    assert.equal(path, '/run/secrets/pii');
    return 'mounted-secret-value-0123456789\n';
  });
  assert.equal(config.PII_HMAC_KEY, 'mounted-secret-value-0123456789');
  assert.equal(maskSecrets('key=mounted-secret-value-0123456789!'), 'key=***!');
});

test('a password inside a URL variable is a secret: registered for masking in every form', () => {
  const config = loadConfig({
    ...base,
    CLICKHOUSE_URL: 'https://reader:ch-url-pass%2F01@ch.example.com:8443',
    SCHEMA_REGISTRY_URL: 'https://registry:registry-url-pass-02@sr.example.com/apis/ccompat/v7',
  });
  assert.equal(config.CLICKHOUSE_URL, 'https://reader:ch-url-pass%2F01@ch.example.com:8443');
  const header = Buffer.from('reader:ch-url-pass/01').toString('base64');
  assert.equal(
    maskSecrets(
      `decoded ch-url-pass/01, encoded ch-url-pass%2F01, header Basic ${header}, sr registry-url-pass-02`,
    ),
    'decoded ***, encoded ***, header Basic ***, sr ***',
  );
});

test('a URL variable that fails validation is shown with its password masked', () => {
  assert.throws(
    () => loadConfig({ ...base, SCHEMA_REGISTRY_URL: 'https://registry:bad-url-pass-03@host:notaport' }),
    (err: ConfigError) => {
      const text = err.problems.join('\n');
      assert.match(text, /SCHEMA_REGISTRY_URL: .*registry:\*\*\*@host:notaport/);
      assert.doesNotMatch(text, /bad-url-pass-03/);
      return true;
    },
  );
});

test('URL_VARIABLES are the *_URL variables', () => {
  assert.deepEqual([...URL_VARIABLES].sort(), ['CLICKHOUSE_URL', 'SCHEMA_REGISTRY_URL']);
});

test('the printed configuration masks SECRET_VARIABLES and URL passwords, nothing else', () => {
  const config = loadConfig({
    ...base,
    CLICKHOUSE_PASSWORD: 'clickhouse-pass-04',
    CLICKHOUSE_URL: 'https://reader:ch-url-pass-05@ch.example.com',
    SCHEMA_REGISTRY_USERNAME: 'registry-user',
  });
  const printed = printableConfig(config);
  for (const name of SECRET_VARIABLES)
    assert.equal(printed[name], config[name as keyof typeof config] === undefined ? undefined : '***', name);
  assert.equal(printed.PII_HMAC_KEY, '***');
  assert.equal(printed.CLICKHOUSE_PASSWORD, '***');
  assert.equal(printed.KAFKA_SASL_PASSWORD, undefined);
  assert.equal(printed.CLICKHOUSE_URL, 'https://reader:***@ch.example.com');
  assert.equal(printed.SCHEMA_REGISTRY_URL, config.SCHEMA_REGISTRY_URL);
  assert.equal(printed.SCHEMA_REGISTRY_USERNAME, 'registry-user');
  const text = JSON.stringify(printed);
  for (const secret of ['a-test-key-of-32-characters-long', 'clickhouse-pass-04', 'ch-url-pass-05'])
    assert.ok(!text.includes(secret), secret);
});

test('SASL/PLAIN without TLS is a configuration error (the password would cross the network in clear)', () => {
  const plain = {
    ...base,
    KAFKA_SASL_MECHANISM: 'plain',
    KAFKA_SASL_USERNAME: 'u',
    KAFKA_SASL_PASSWORD: 'p',
  };
  assert.throws(() => loadConfig(plain), /KAFKA_SASL_MECHANISM: plain sends the password in clear/);
  assert.equal(loadConfig({ ...plain, KAFKA_SSL: 'true' }).KAFKA_SASL_MECHANISM, 'plain');
  assert.equal(loadConfig({ ...plain, KAFKA_SASL_MECHANISM: 'scram-sha-512' }).KAFKA_SSL, false);
});

test('an ingest window longer than the ClickHouse retention is a configuration error (#15: history would vanish in silence)', () => {
  assert.throws(
    () => loadConfig({ ...base, INGEST_MAX_PAST_DAYS: '1000', CLICKHOUSE_RETENTION_DAYS: '730' }),
    /INGEST_MAX_PAST_DAYS: 1000 days is more than CLICKHOUSE_RETENTION_DAYS \(730\)/,
  );
  assert.equal(
    loadConfig({ ...base, INGEST_MAX_PAST_DAYS: '1000', CLICKHOUSE_RETENTION_DAYS: '1000' })
      .INGEST_MAX_PAST_DAYS,
    1000,
  );
});

test('per-source collector limits: source=number pairs, unknown sources and bad numbers refused', () => {
  const config = loadConfig({
    ...base,
    COLLECTOR_MAX_BODY_BYTES_BY_SOURCE: 'stripe=1048576, zendesk=262144',
    COLLECTOR_RATE_PER_KEY_BY_SOURCE: 'segment=0,stripe=50',
  });
  assert.deepEqual(config.COLLECTOR_MAX_BODY_BYTES_BY_SOURCE, { stripe: 1_048_576, zendesk: 262_144 });
  assert.deepEqual(config.COLLECTOR_RATE_PER_KEY_BY_SOURCE, { segment: 0, stripe: 50 });
  assert.deepEqual(loadConfig(base).COLLECTOR_MAX_BODY_BYTES_BY_SOURCE, {});
  for (const bad of ['mailchimp=10', 'stripe=', 'stripe=-1', 'stripe=1;zendesk=2', 'stripe'])
    assert.throws(
      () => loadConfig({ ...base, COLLECTOR_MAX_BODY_BYTES_BY_SOURCE: bad }),
      /COLLECTOR_MAX_BODY_BYTES_BY_SOURCE: source=number pairs/,
      bad,
    );
});
