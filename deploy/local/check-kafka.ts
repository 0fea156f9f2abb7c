// Health check for the local broker: exits 0 when a kafkajs admin can connect and the broker
// answers metadata (the broker is registered and the controller is up).
import { Kafka, logLevel } from 'kafkajs';

const brokers = (process.argv[2] ?? '127.0.0.1:19092').split(',');
const admin = new Kafka({
  clientId: 'stack-health',
  brokers,
  logLevel: logLevel.NOTHING,
  retry: { retries: 0 },
}).admin();
try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  process.exitCode = cluster.brokers.length > 0 && cluster.controller !== null ? 0 : 1;
} catch {
  process.exitCode = 1;
} finally {
  await admin.disconnect().catch(() => undefined);
}
