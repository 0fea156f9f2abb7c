import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigError } from './config.ts';
import { loadConfig } from './config.ts';
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
