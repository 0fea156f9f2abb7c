// One HTTP server under measurement, in its own process (bench-collector-main.ts forks it):
//   collector    `journey collect` as deployed (collector-service.ts)
//   passthrough  the baseline: a bare HTTP-to-Kafka bridge on the same producer settings (acks=all,
//                idempotent), no auth, no checks, no grouping: parse the Segment batch, one message
//                per call, one send per request, 200.
// Prints `listening <port>` on stdout when ready; stops on SIGTERM and prints its CPU seconds.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../shared/config/config.ts';
import { createKafka } from '../../shared/kafka/kafka-client.ts';
import { createOutputProducer } from '../../shared/kafka/producer.ts';
import { createLogger } from '../../shared/telemetry/logger.ts';
import { startCollector } from '../../collector/collector-service.ts';

const mode = process.argv[2];
const config = loadConfig();
const log = createLogger('warn');

async function passthrough(): Promise<{ port: number; close(): Promise<void> }> {
  const producer = await createOutputProducer(createKafka(config, 'bench-passthrough'));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { batch: unknown[] };
      producer
        .send(
          body.batch.map((call) => ({
            topic: config.TOPIC_BEHAVIOR,
            key: null,
            value: JSON.stringify(call),
          })),
        )
        .then(
          () => res.writeHead(200).end('{"success":true}'),
          () => res.writeHead(503).end(),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await producer.disconnect();
    },
  };
}

const running = mode === 'passthrough' ? await passthrough() : await startCollector(config, log, { port: 0 });
process.stdout.write(`listening ${running.port}\n`);
process.once('SIGTERM', () => {
  void running.close().finally(() => {
    const cpu = process.cpuUsage();
    process.stdout.write(`cpu ${(cpu.user + cpu.system) / 1e6}\n`);
    process.exit(0);
  });
});
