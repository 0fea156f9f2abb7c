// Kafka over SASL_SSL with SCRAM, against a second broker this test starts (test/support/
// secure-broker.ts): the pipeline's own client, built from configuration, creates the topics
// (`journey topics`), produces and consumes; a wrong password and an untrusted CA fail at once
// with a clear error and a non-zero exit, never a hang or endless retries, and the password
// never appears in the output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../services/shared/config/config.ts';
import { createKafka } from '../../services/shared/kafka/kafka-client.ts';
import { startSecureBroker } from '../support/secure-broker.ts';
import { uniqueName, waitFor } from '../support/stack.ts';

const MAIN = new URL('../../services/cli/main.ts', import.meta.url).pathname;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runCli(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

function topicEnv(prefix: string): Record<string, string> {
  const names = [
    'BEHAVIOR',
    'TICKETS',
    'SURVEYS',
    'BILLING',
    'CANONICAL',
    'DLQ',
    'RESOLVED',
    'IDENTITY_CHANGES',
    'IDENTITY_CHANGELOG',
    'IDENTITY_COMMANDS',
    'JOURNEY_CHANGELOG',
    'CHURN_ALERTS',
  ];
  return Object.fromEntries(names.map((n) => [`TOPIC_${n}`, `${prefix}.${n.toLowerCase()}`]));
}

test('Kafka SASL_SSL (SCRAM): right credentials work, a wrong password or an untrusted CA fail fast', async (t) => {
  const broker = await startSecureBroker(t);
  const prefix = uniqueName('sec');
  const passwordFile = join(broker.dir, 'sasl-password');
  writeFileSync(passwordFile, `${broker.password}\n`, { mode: 0o600 });
  const { KAFKA_SASL_PASSWORD: _inline, ...withoutPassword } = broker.env;
  const env: Record<string, string> = {
    ...withoutPassword,
    KAFKA_SASL_PASSWORD_FILE: passwordFile,
    ...topicEnv(prefix),
    TOPIC_PARTITIONS: '1',
    PII_HMAC_KEY: 'security-test-hmac-key-0123456789',
    LOG_LEVEL: 'warn',
  };

  await t.test('`journey topics` creates every topic through SCRAM-SHA-512 over TLS', async () => {
    const run = await runCli(['topics'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(broker.password), 'password in the output');
  });

  await t.test(
    'the client built from config produces and consumes (SCRAM-SHA-256, password inline)',
    async () => {
      const config = loadConfig({
        ...env,
        KAFKA_SASL_PASSWORD_FILE: undefined,
        KAFKA_SASL_PASSWORD: broker.password,
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
      });
      const kafka = createKafka(config, 'security-test');
      const admin = kafka.admin();
      await admin.connect();
      try {
        const topics = await admin.listTopics();
        for (const topic of Object.values(topicEnv(prefix))) assert.ok(topics.includes(topic), topic);
      } finally {
        await admin.disconnect();
      }
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: config.TOPIC_BEHAVIOR, messages: [{ key: 'k', value: 'over-sasl-ssl' }] });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: `${prefix}-group` });
      await consumer.connect();
      try {
        await consumer.subscribe({ topic: config.TOPIC_BEHAVIOR, fromBeginning: true });
        const received: string[] = [];
        await consumer.run({
          eachMessage: async ({ message }) => {
            received.push(String(message.value));
          },
        });
        await waitFor('the message', () => (received.length > 0 ? received : undefined), 30_000);
        assert.deepEqual(received, ['over-sasl-ssl']);
      } finally {
        await consumer.disconnect();
      }
    },
  );

  await t.test(
    'a wrong password fails at once with the SASL error, exit 1, password not printed',
    async () => {
      const wrong = 'wrong-password-Zq81xv';
      const run = await runCli(['topics'], {
        ...env,
        KAFKA_SASL_PASSWORD_FILE: '',
        KAFKA_SASL_PASSWORD: wrong,
      });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /SASL SCRAM SHA512 authentication failed/);
      const output = `${run.stdout}${run.stderr}`;
      assert.ok(!output.includes(wrong), 'wrong password in the output');
      assert.ok(!output.includes(broker.password), 'password in the output');
    },
  );

  const untrustedCa = async (command: string): Promise<void> => {
    const run = await runCli(
      [command],
      { ...env, KAFKA_SSL_CA_FILE: broker.rogueCaFile, HTTP_PORT: '0' },
      16_000,
    );
    assert.match(run.stderr, /KafkaTlsError: Kafka TLS handshake with 127\.0\.0\.1:\d+ failed/);
    assert.match(run.stderr, /SELF_SIGNED_CERT_IN_CHAIN.*KAFKA_SSL_CA_FILE/);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(broker.password), 'password in the output');
    assert.equal(run.code, 1, `${command}: ${run.stderr}`);
  };

  await t.test('an untrusted CA fails at once with a TLS error naming KAFKA_SSL_CA_FILE, exit 1', () =>
    untrustedCa('topics'),
  );

  // Fast means before runCli's kill timer: a retry loop or a process left up would be killed
  // (exit code null), not exit 1.
  await t.test('a service (`journey ingest`) that cannot start exits 1 at once', () => untrustedCa('ingest'));
});
