// SIGTERM, as an orchestrator sends it: `journey all` in the middle of a stream stops within the
// grace period with exit 0, its consumers leave their groups (the groups are empty at once, no
// session timeout to wait for), and a restart finishes the stream with every event stored once.
// /readyz is 200 only with Kafka and ClickHouse reachable and state restored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createClickHouse } from '../../services/shared/clickhouse/clickhouse-client.ts';
import { freshPipeline } from '../support/pipeline.ts';
import { freePort } from '../support/secure-broker.ts';
import { testKafka, waitFor } from '../support/stack.ts';

const MAIN = new URL('../../services/cli/main.ts', import.meta.url).pathname;
const GRACE_MS = 20_000; // SHUTDOWN_GRACE_MS in services/cli/commands/services.ts

function start(command: string, env: Record<string, string | undefined>): ChildProcess {
  return spawn(process.execPath, [MAIN, command], {
    env: { ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function readiness(
  port: string | undefined,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function stopWithSigterm(child: ChildProcess): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, ms: Date.now() - started };
}

test('SIGTERM mid-stream: exit 0 in the grace period, groups left, nothing lost or doubled on restart', async (t) => {
  const { env: base, config } = await freshPipeline();
  const env = { ...base, HTTP_PORT: String(await freePort()) };
  const clickhouse = createClickHouse(config);
  t.after(() => clickhouse.close());
  const count = async (query: string): Promise<number> =>
    Number(
      (await (await clickhouse.query({ query, format: 'JSONEachRow' })).json<{ c: string }>())[0]?.c ?? 0,
    );

  let pipeline = start('all', env);
  t.after(() => pipeline.kill('SIGKILL'));
  const ready = await waitFor(
    '/readyz 200',
    async () => {
      const r = await readiness(env.HTTP_PORT);
      return r.status === 200 ? r.body : undefined;
    },
    60_000,
    200,
  );
  assert.deepEqual(ready, { ready: true, clickhouse: 'ok', kafka: 'ok', state: 'restored' });

  const total = 1500;
  const now = Date.now() - 3_600_000;
  const producer = testKafka().producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  const produce = async (from: number, to: number): Promise<void> => {
    for (let i = from; i < to; i += 100) {
      const messages = [];
      for (let j = i; j < Math.min(i + 100, to); j++) {
        const ts = new Date(now + j * 1000).toISOString();
        const event = {
          type: 'track',
          event: 'Logged In',
          messageId: `sigterm-${j}`,
          userId: `user-${j % 40}`,
          timestamp: ts,
          sentAt: ts,
          receivedAt: ts,
          context: {},
          properties: {},
        };
        messages.push({ key: event.userId, value: JSON.stringify(event) });
      }
      await producer.send({ topic: config.TOPIC_BEHAVIOR, messages });
    }
  };
  // Two thirds of the stream before the signal, the rest while the pipeline is down: the restart
  // always has work left, whether or not the first run had caught up when it was stopped.
  await produce(0, 1000);
  await waitFor(
    'part of the stream stored',
    async () => ((await count('SELECT count() AS c FROM journey_events')) > 0 ? true : undefined),
    60_000,
  );

  const { code, ms } = await stopWithSigterm(pipeline);
  assert.equal(code, 0);
  assert.ok(ms < GRACE_MS, `stopped after ${ms} ms`);
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([config.INGEST_GROUP_ID, config.JOURNEY_GROUP_ID]);
    for (const group of groups)
      assert.equal(group.state, 'Empty', `${group.groupId} still has ${group.members.length} members`);
  } finally {
    await admin.disconnect();
  }

  await produce(1000, total);

  // The restart must be running (signal handlers installed) before it is stopped: a SIGTERM while
  // the process still loads its modules gets the default action (the last CI's failure, when the
  // whole stream had been stored before the restart, so nothing waited for it).
  pipeline = start('all', env);
  await waitFor(
    '/readyz 200 after the restart',
    async () => ((await readiness(env.HTTP_PORT)).status === 200 ? true : undefined),
    60_000,
    200,
  );
  await waitFor(
    'the whole stream stored',
    async () =>
      (await count('SELECT uniqExact(event_id) AS c FROM journey_events')) >= total ? true : undefined,
    120_000,
  );
  await clickhouse.command({ query: 'OPTIMIZE TABLE journey_events FINAL' });
  assert.equal(await count('SELECT count() AS c FROM journey_events'), total);
  assert.equal((await stopWithSigterm(pipeline)).code, 0);
});

test('/readyz is 503 while ClickHouse is unreachable; /healthz stays 200', async (t) => {
  const { env: base } = await freshPipeline();
  const env = {
    ...base,
    HTTP_PORT: String(await freePort()),
    CLICKHOUSE_URL: `http://127.0.0.1:${await freePort()}`,
  };
  const ingest = start('ingest', env);
  t.after(() => ingest.kill('SIGKILL'));
  await waitFor(
    '/healthz',
    async () => ((await fetch(`http://127.0.0.1:${env.HTTP_PORT}/healthz`)).ok ? true : undefined),
    30_000,
    200,
  );
  const probe = await waitFor('state restored', async () => {
    const r = await readiness(env.HTTP_PORT);
    return r.body.state === 'restored' ? r : undefined;
  });
  assert.equal(probe.status, 503);
  assert.deepEqual(probe.body, { ready: false, clickhouse: 'unreachable', kafka: 'ok', state: 'restored' });
  assert.equal((await stopWithSigterm(ingest)).code, 0);
});

test('SIGTERM while the stages are still starting: a clean exit 0, not the default kill', async (t) => {
  const { env: base } = await freshPipeline();
  const env = { ...base, HTTP_PORT: String(await freePort()) };
  const pipeline = start('all', env);
  t.after(() => pipeline.kill('SIGKILL'));
  // The health server answers before the stages have restored and joined their groups.
  await waitFor(
    'the health server',
    async () => ((await readiness(env.HTTP_PORT).catch(() => null)) ? true : undefined),
    30_000,
  );
  const { code } = await stopWithSigterm(pipeline);
  assert.equal(code, 0);
});
