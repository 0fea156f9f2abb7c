// The one place that builds a kafkajs client: TLS and SASL from config, no automatic topic
// creation, kafkajs logs routed to pino. The pipeline itself never imports kafkajs (house style 5).
// A broker certificate the configured CA does not trust fails the first connect at once
// (KafkaTlsError): kafkajs treats it as a retriable connection error and would back off for
// about a minute. A wrong SASL password already fails at once (KafkaJSSASLAuthenticationError).
import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel } from 'kafkajs';
import type { ISocketFactory, KafkaConfig, SASLOptions } from 'kafkajs';
import type { PipelineConfig } from '../config/config.ts';
import type { Logger } from '../telemetry/logger.ts';
import { createRequire } from 'node:module';

// The broker's retriable error responses (kafkajs's own table: CONCURRENT_TRANSACTIONS,
// NOT_COORDINATOR, LEADER_NOT_AVAILABLE, ...), and the two a rebalance answers with, which kafkajs
// handles by rejoining. kafkajs logs every error response at level error and then retries or
// rejoins by itself: for these, that line is debug.
const REJOIN = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION']);
const RETRIABLE_RESPONSES: ReadonlySet<string> = new Set(
  (
    createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
      errorCodes: Array<{ type: string; message: string; retriable: boolean }>;
    }
  ).errorCodes
    .filter((e) => e.retriable || REJOIN.has(e.type))
    .map((e) => e.message),
);

/** A kafkajs log line that reads as an error but is not one the operator must act on. */
export function benignKafkaLog(message: string, extra: Record<string, unknown>): boolean {
  // Back-to-back transactions briefly overlap the broker's commit of the previous one; kafkajs
  // retries CONCURRENT_TRANSACTIONS by itself, so it is not an error worth a log line.
  if (
    /concurrent operation on the same transaction|switched default partitioner|Limiting retries for the idempotent producer/.test(
      message,
    )
  )
    return true;
  if (message.startsWith('Response ') && RETRIABLE_RESPONSES.has(String(extra['error']))) return true;
  // A failed batch is logged by its stage, with what happens next (retried, redone by the new
  // owner); kafkajs's own line about it is the same fact again.
  return message === 'Error when calling eachBatch';
}

let timerWarningsSilenced = false;

/** kafkajs 2.2.4 schedules timers with negative delays on Node >= 23, which then prints a
 *  TimeoutNegativeWarning per request. The timer still fires immediately, as before: this silences
 *  that one warning and keeps every other. Called by createKafka (once per process); a process
 *  that builds its own kafkajs client calls it itself. */
export function silenceKafkajsTimerWarnings(): void {
  if (timerWarningsSilenced) return;
  timerWarningsSilenced = true;
  const originalEmitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const name = typeof warning === 'object' ? warning.name : typeof rest[0] === 'string' ? rest[0] : '';
    if (name === 'TimeoutNegativeWarning') return;
    (originalEmitWarning as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

type KafkaSecurity = Pick<
  PipelineConfig,
  | 'KAFKA_BROKERS'
  | 'KAFKA_SSL'
  | 'KAFKA_SSL_CA_FILE'
  | 'KAFKA_SSL_CERT_FILE'
  | 'KAFKA_SSL_KEY_FILE'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
>;

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function kafkaClientConfig(config: KafkaSecurity, clientId: string, log?: Logger): KafkaConfig {
  const ssl =
    config.KAFKA_SSL || config.KAFKA_SSL_CA_FILE
      ? {
          rejectUnauthorized: true,
          ...(config.KAFKA_SSL_CA_FILE ? { ca: [readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8')] } : {}),
          ...(config.KAFKA_SSL_CERT_FILE ? { cert: readFileSync(config.KAFKA_SSL_CERT_FILE, 'utf8') } : {}),
          ...(config.KAFKA_SSL_KEY_FILE ? { key: readFileSync(config.KAFKA_SSL_KEY_FILE, 'utf8') } : {}),
        }
      : undefined;
  const sasl: SASLOptions | undefined =
    config.KAFKA_SASL_MECHANISM === 'none'
      ? undefined
      : ({
          mechanism: config.KAFKA_SASL_MECHANISM,
          username: config.KAFKA_SASL_USERNAME ?? '',
          password: config.KAFKA_SASL_PASSWORD ?? '',
        } as SASLOptions);
  const kafkaLog = log?.child({ module: 'kafkajs' });
  return {
    clientId,
    brokers: config.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
    connectionTimeout: 5_000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: kafkaLog ? logLevel.WARN : logLevel.NOTHING,
    logCreator: () => (entry) => {
      if (!kafkaLog) return;
      const { message, ...extra } = entry.log;
      kafkaLog[benignKafkaLog(message, extra) ? 'debug' : (LEVEL_NAMES[entry.level] ?? 'info')](
        { namespace: entry.namespace, ...extra },
        message,
      );
    },
  };
}

/** The broker's TLS certificate was refused (untrusted CA, wrong host name, expired) or the
 *  listener does not speak TLS: a configuration fault, never retried. */
export class KafkaTlsError extends Error {
  readonly code: string;
  constructor(broker: string, cause: Error & { code?: string }) {
    super(
      `Kafka TLS handshake with ${broker} failed: ${cause.message} (${cause.code ?? 'no code'}); check KAFKA_SSL_CA_FILE and that the listener is TLS`,
      { cause },
    );
    this.name = 'KafkaTlsError';
    this.code = cause.code ?? 'TLS';
  }
}

const isTlsConfigFault = (err: Error & { code?: string }): boolean =>
  /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|^ERR_SSL_|^ERR_TLS_/.test(err.code ?? '');

/** One TLS handshake per broker until one succeeds. Unreachable brokers are left to kafkajs's
 *  retries (an outage is transient); a refused certificate is not. */
export async function checkBrokerTrust(
  brokers: string[],
  ssl: ConnectionOptions,
  timeoutMs = 5_000,
): Promise<void> {
  for (const broker of brokers) {
    const colon = broker.lastIndexOf(':');
    const host = broker.slice(0, colon);
    const port = Number(broker.slice(colon + 1));
    const failure = await new Promise<(Error & { code?: string }) | null | 'unreachable'>((resolve) => {
      const socket = tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl });
      socket.setTimeout(timeoutMs, () => {
        socket.destroy();
        resolve('unreachable');
      });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve(null);
      });
      socket.once('error', (err) => {
        socket.destroy();
        resolve(err);
      });
    });
    if (failure === null) return;
    if (failure !== 'unreachable' && isTlsConfigFault(failure)) throw new KafkaTlsError(broker, failure);
  }
}

type Connectable = { connect(): Promise<void> };

function checkTrustBeforeConnect<T extends Connectable>(client: T, check: () => Promise<void>): T {
  const connect = client.connect.bind(client);
  client.connect = async () => {
    await check();
    await connect();
  };
  return client;
}

/** Every socket a client opened and that is not closed yet (closeKafkaSockets). */
const openSockets = new WeakMap<Kafka, Set<Socket>>();

/** kafkajs's own socket factory (TLS with the broker's name for SNI, keep-alive), each socket
 *  noted in `sockets` until it closes. */
export function trackedSocketFactory(sockets: Set<Socket>): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const socket = ssl
      ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : netConnect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return socket;
  };
}

/** Destroys the sockets of `kafka` still open once its producers, consumers and admins were
 *  disconnected: kafkajs can reconnect under a disconnect (a request written after the socket was
 *  ended, kafkajs#1017) and leave a connection nobody holds, which keeps a process alive for good.
 *  A stage's stop() calls it last. Returns how many it closed. */
export function closeKafkaSockets(kafka: Kafka): number {
  const sockets = openSockets.get(kafka);
  return sockets ? destroySockets(sockets) : 0;
}

/** Destroys and forgets every socket of `sockets`; how many there were. */
export function destroySockets(sockets: Set<Socket>): number {
  const n = sockets.size;
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  return n;
}

/** closeKafkaSockets at the end of a stage's stop(), saying when kafkajs had left any open. */
export function closeLeftSockets(kafka: Kafka, log: Logger): void {
  const closed = closeKafkaSockets(kafka);
  if (closed > 0) log.info({ closed }, 'Kafka connections left open by the client closed at stop');
}

export function createKafka(config: KafkaSecurity, clientId: string, log?: Logger): Kafka {
  silenceKafkajsTimerWarnings();
  const kafkaConfig = kafkaClientConfig(config, clientId, log);
  const sockets = new Set<Socket>();
  const kafka = new Kafka({ ...kafkaConfig, socketFactory: trackedSocketFactory(sockets) });
  openSockets.set(kafka, sockets);
  const ssl = kafkaConfig.ssl;
  if (!ssl) return kafka;
  let trusted: Promise<void> | undefined;
  const check = (): Promise<void> => {
    trusted ??= checkBrokerTrust(kafkaConfig.brokers as string[], ssl === true ? {} : ssl).catch(
      (err: unknown) => {
        if (!(err instanceof KafkaTlsError)) trusted = undefined;
        throw err;
      },
    );
    return trusted;
  };
  const admin = kafka.admin.bind(kafka);
  const producer = kafka.producer.bind(kafka);
  const consumer = kafka.consumer.bind(kafka);
  kafka.admin = (...args) => checkTrustBeforeConnect(admin(...args), check);
  kafka.producer = (...args) => checkTrustBeforeConnect(producer(...args), check);
  kafka.consumer = (...args) => checkTrustBeforeConnect(consumer(...args), check);
  return kafka;
}
