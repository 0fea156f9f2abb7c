// The client benchmark's own test: `make bench-kafka-clients` on 2,000 messages against the local
// stack — both relays run, each output holds every input message exactly once (the script exits 1
// otherwise), and the side-by-side figures are printed. Times are never asserted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const stack = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'CLICKHOUSE_URL'].every((name) => process.env[name]);
const main = fileURLToPath(new URL('./kafka-clients-main.ts', import.meta.url));

test(
  'bench-kafka-clients relays every message exactly once with both clients and prints the ratios',
  { skip: stack ? false : 'needs the local stack (make test exports .local/stack.env)', timeout: 300_000 },
  () => {
    const run = spawnSync(process.execPath, [main, '--messages', '2000', '--partitions', '2'], {
      encoding: 'utf8',
      timeout: 240_000,
    });
    assert.equal(run.status, 0, run.stderr);
    for (const client of ['kafkajs', 'platformatic'])
      assert.match(run.stdout, new RegExp(`run 1 ${client} .* output 2,000 \\(exact\\)`));
    assert.match(run.stdout, /platformatic \/ kafkajs: throughput [\d.]+x, CPU per message [\d.]+x/);
  },
);
