// A second, separate Kafka broker with a SASL_SSL listener (SCRAM-SHA-512 and -256, TLS from a
// throw-away CA), started by deploy/local/secure-kafka.sh on free ports for one test and stopped
// by its pid when the test ends, whether it passed or not (and when the test process exits).
import type { TestContext } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createKafka } from '../../services/shared/kafka/kafka-client.ts';
import { waitFor } from './stack.ts';

const SCRIPT = new URL('../../deploy/local/secure-kafka.sh', import.meta.url).pathname;

export interface SecureBroker {
  /** host:port of the SASL_SSL listener. */
  brokers: string;
  /** PEM of the CA that signed the broker's certificate. */
  caFile: string;
  /** PEM of a CA the broker does not use: a client trusting only it must refuse the broker. */
  rogueCaFile: string;
  username: string;
  password: string;
  dir: string;
  pid: number;
  /** The environment a pipeline process needs to reach this broker (password inline). */
  env: Record<string, string>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

function stopBroker(dir: string, pid: number): void {
  try {
    process.kill(pid, 0);
    execFileSync('bash', [SCRIPT, 'down', dir], { stdio: 'ignore' });
  } catch {
    // already gone
  }
  rmSync(dir, { recursive: true, force: true });
}

export async function startSecureBroker(t: TestContext): Promise<SecureBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'journey-secure-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const username = 'pipeline';
  const password = `scram-${randomBytes(12).toString('hex')}`;
  let pid: number;
  try {
    pid = Number(
      execFileSync('bash', [SCRIPT, 'up', dir, String(port), String(controllerPort), username, password], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim(),
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const cleanup = (): void => stopBroker(dir, pid);
  process.once('exit', cleanup);
  t.after(() => {
    process.removeListener('exit', cleanup);
    cleanup();
  });
  const broker: SecureBroker = {
    brokers: `127.0.0.1:${port}`,
    caFile: join(dir, 'certs', 'ca.pem'),
    rogueCaFile: join(dir, 'certs', 'rogue-ca.pem'),
    username,
    password,
    dir,
    pid,
    env: {
      KAFKA_BROKERS: `127.0.0.1:${port}`,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: join(dir, 'certs', 'ca.pem'),
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: username,
      KAFKA_SASL_PASSWORD: password,
    },
  };
  const admin = createKafka(
    {
      KAFKA_BROKERS: broker.brokers,
      KAFKA_SSL: true,
      KAFKA_SSL_CA_FILE: broker.caFile,
      KAFKA_SSL_CERT_FILE: undefined,
      KAFKA_SSL_KEY_FILE: undefined,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: username,
      KAFKA_SASL_PASSWORD: password,
    },
    'secure-broker-probe',
  ).admin();
  try {
    await waitFor(
      'the secure broker',
      async () => {
        try {
          process.kill(pid, 0);
        } catch {
          throw new Error(
            `secure broker exited: ${readFileSync(join(dir, 'kafka.log'), 'utf8').slice(-2000)}`,
          );
        }
        // The listener accepts connections once the server logged its start.
        if (!readFileSync(join(dir, 'kafka.log'), 'utf8').includes('Kafka Server started')) return undefined;
        await admin.connect();
        await admin.describeCluster();
        return true;
      },
      45_000,
      250,
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return broker;
}
