// Issue #18, step 3 (docs/architecture.md) through the real broker: with IDENTITY_RESOLVER=on the
// ingest sends link facts in its transactions and the resolver builds the identity table from them
// alone. On a generated workload (sessions, sign-ups, group calls, billing, tickets) the resolver's
// graph is the journey's graph — the same persons, identifiers, flags, memberships — while it read
// a fraction of the events; a restarted resolver rebuilds that graph from the table, and goes on
// from there: later facts (a new session stitched to a known user, a person joining a second
// account) reach both graphs alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeIdentityGraph } from '../../services/identity/identity-core.ts';
import type { IdentityGraph } from '../../services/identity/identity-core.ts';
import { produceWorkload } from '../../services/workload/produce-workload.ts';
import { runningPipeline } from '../support/running-pipeline.ts';
import { testKafka } from '../support/stack.ts';

const identityOf = (g: IdentityGraph) => {
  const { persons, tombstones } = describeIdentityGraph(g);
  return { persons, tombstones };
};

async function messagesIn(topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    // Transactional topics: each committed batch adds a commit marker, counted here as a message.
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

test('the resolver builds from the link facts alone the graph the journey builds from every event; a restart restores it from the table', async (t) => {
  const pipeline = await runningPipeline(t, { IDENTITY_RESOLVER: 'on', JOURNEY_IDLE_TICK_SECONDS: '0' });
  const { config } = pipeline;
  const raw = [config.TOPIC_BEHAVIOR, config.TOPIC_TICKETS, config.TOPIC_SURVEYS, config.TOPIC_BILLING];
  const produced = await produceWorkload(config, {
    profile: 'tiny',
    seed: 18,
    endMs: Date.now(),
    batchSize: 200,
  });
  await pipeline.settled(raw);

  const journeyGraph = identityOf(pipeline.journey().state.graph);
  assert.ok(journeyGraph.persons.length > 50, `${journeyGraph.persons.length} persons`);
  assert.ok(
    journeyGraph.persons.some((p) => p.identifiers.length > 2 && p.accounts.length > 0),
    'stitched persons with accounts',
  );
  assert.deepEqual(identityOf(pipeline.resolver()!.graph()), journeyGraph);
  const links = await messagesIn(config.TOPIC_IDENTITY_LINKS);
  const canonical = await messagesIn(config.TOPIC_CANONICAL);
  t.diagnostic(
    `${produced.sent} raw messages, ${canonical} canonical records (events and markers), ${links} link-fact records`,
  );
  assert.ok(links < canonical / 2, `the resolver read ${links} records of ${canonical}`);

  // Restored from the table alone.
  const restarted = await pipeline.restartResolver();
  assert.deepEqual(identityOf(restarted.graph()), journeyGraph);

  // And on from there: a new anonymous session identified as a known user, that user in a new account.
  const known = journeyGraph.persons.flatMap((p) => p.identifiers).find((i) => i.key.startsWith('u:'));
  assert.ok(known, 'a known user');
  const userId = known.key.slice(2);
  const at = new Date().toISOString();
  const call = (fields: Record<string, unknown>) => ({
    key: userId,
    value: JSON.stringify({ timestamp: at, sentAt: at, receivedAt: at, context: {}, ...fields }),
  });
  await pipeline.producer.send({
    topic: config.TOPIC_BEHAVIOR,
    messages: [
      call({ type: 'page', messageId: 'r1', anonymousId: 'anon-after-restart', name: 'Docs' }),
      call({ type: 'identify', messageId: 'r2', anonymousId: 'anon-after-restart', userId }),
      call({ type: 'group', messageId: 'r3', userId, groupId: 'acc_after_restart' }),
    ],
  });
  await pipeline.settled(raw);
  const after = identityOf(pipeline.journey().state.graph);
  const person = after.persons.find((p) => p.identifiers.some((i) => i.key === `u:${userId}`))!;
  assert.ok(person.identifiers.some((i) => i.key === 'a:anon-after-restart'));
  assert.ok(person.accounts.some((a) => a.account_key === 'acc_after_restart'));
  assert.deepEqual(identityOf(restarted.graph()), after);
});
