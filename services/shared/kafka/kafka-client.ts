// The one place that builds a kafkajs client: TLS and SASL from config, no automatic topic
// creation, kafkajs logs routed to pino. The pipeline itself never imports kafkajs (house style 5).
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { PipelineConfig } from '../config/config.ts';
import type { Logger } from '../telemetry/logger.ts';

// kafkajs 2.2.4 schedules timers with negative delays on Node >= 23, which then prints a
// TimeoutNegativeWarning per request. The timer still fires immediately, as before; silence that
// one warning and keep every other warning.
const originalEmitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const name = typeof warning === 'object' ? warning.name : typeof rest[0] === 'string' ? rest[0] : '';
  if (name === 'TimeoutNegativeWarning') return;
  (originalEmitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

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
      // Back-to-back transactions briefly overlap the broker's commit of the previous one; kafkajs
      // retries CONCURRENT_TRANSACTIONS by itself, so it is not an error worth a log line.
      const benign =
        /concurrent operation on the same transaction|switched default partitioner|Limiting retries for the idempotent producer/.test(
          message,
        );
      kafkaLog[benign ? 'debug' : (LEVEL_NAMES[entry.level] ?? 'info')](
        { namespace: entry.namespace, ...extra },
        message,
      );
    },
  };
}

export function createKafka(config: KafkaSecurity, clientId: string, log?: Logger): Kafka {
  return new Kafka(kafkaClientConfig(config, clientId, log));
}
