// Ingest -> journey stage -> ClickHouse through the real broker, registry and ClickHouse front:
// anonymous browsing is stitched to the user at identify (retroactively, through
// person_overrides), the group call attaches the account, and after a restart the identity graph
// is restored from its changelog before processing, so a later anonymous event still resolves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../support/stack.ts';
import { runningPipeline } from '../support/running-pipeline.ts';

const at = (minute: number): string => new Date(Date.UTC(2026, 10, 1, 9, minute)).toISOString();
const segment = (type: string, fields: Record<string, unknown>, minute: number): Buffer =>
  Buffer.from(
    JSON.stringify({
      type,
      timestamp: at(minute),
      sentAt: at(minute),
      receivedAt: at(minute),
      context: {},
      ...fields,
    }),
  );

test('anonymous to known, accounts, retroactive stitching, restart with restore', async (t) => {
  const { config, clickhouse, producer, restartJourney } = await runningPipeline(t);
  const send = (key: string, value: Buffer) =>
    producer.send({ topic: config.TOPIC_BEHAVIOR, messages: [{ key, value }] });

  await send(
    'anon-1',
    segment(
      'page',
      {
        messageId: 'm1',
        anonymousId: 'anon-1',
        name: 'Pricing',
        properties: { url: 'https://x.io/pricing?utm_source=google&utm_medium=cpc' },
      },
      1,
    ),
  );
  await send('anon-1', segment('track', { messageId: 'm2', anonymousId: 'anon-1', event: 'Signed Up' }, 2));
  await send(
    'anon-1',
    segment(
      'identify',
      {
        messageId: 'm3',
        anonymousId: 'anon-1',
        userId: 'user-42',
        traits: { email: 'Ada@Example.com', name: 'Ada' },
      },
      3,
    ),
  );
  await send(
    'user-42',
    segment(
      'group',
      { messageId: 'm4', userId: 'user-42', groupId: 'org-7', traits: { name: 'Acme', employees: 250 } },
      4,
    ),
  );
  await send(
    'anon-2',
    segment('track', { messageId: 'm5', anonymousId: 'anon-2', userId: 'user-42', event: 'Logged In' }, 5),
  );

  type Row = { event_id: string; person_id: string; account_id: string; resolved_person_id: string };
  const rows = async (): Promise<Row[]> =>
    (
      await clickhouse.query({
        query:
          'SELECT event_id, person_id, account_id, resolved_person_id FROM journey_events_resolved ORDER BY event_time',
        format: 'JSONEachRow',
      })
    ).json<Row>();
  const first = await waitFor(
    '5 events in ClickHouse',
    async () => ((await rows()).length === 5 ? rows() : undefined),
    60_000,
  );
  const person = first[4]!.resolved_person_id;
  assert.ok(person.startsWith('p_'));
  assert.deepEqual(
    new Set(first.map((r) => r.resolved_person_id)),
    new Set([person]),
    'every event, even before identify, resolves to one person',
  );
  assert.notEqual(
    first[0]!.person_id,
    person,
    'the first page view was stored under the anonymous person and re-attributed by override',
  );
  assert.equal(first[3]!.account_id.startsWith('acc_'), true, 'the group call names the account');
  assert.equal(first[4]!.account_id, first[3]!.account_id, 'later events get the primary account');

  // Restart: the new instance restores the graph from the changelog before consuming.
  const { graph } = await restartJourney();
  assert.equal(graph.checkpoints.size > 0, true, 'checkpoint restored');
  await send(
    'anon-2',
    segment('track', { messageId: 'm6', anonymousId: 'anon-2', event: 'Report Created' }, 6),
  );
  const after = await waitFor(
    '6th event',
    async () => {
      const r = await rows();
      return r.length === 6 ? r : undefined;
    },
    60_000,
  );
  assert.equal(after[5]!.person_id, person, 'a device seen before the restart still resolves to the person');
  assert.equal(after[5]!.account_id, first[3]!.account_id);
  const [{ c }] = (await (
    await clickhouse.query({ query: 'SELECT count() AS c FROM journey_events', format: 'JSONEachRow' })
  ).json<{ c: string }>()) as [{ c: string }];
  assert.equal(Number(c), 6, 'nothing reprocessed twice after the restart');
});

test('operator commands: force-merge two known users, then GDPR delete removes events and suppresses replays', async (t) => {
  const { config, clickhouse, producer } = await runningPipeline(t);
  const send = (topic: string, key: string, value: Buffer | string) =>
    producer.send({ topic, messages: [{ key, value }] });
  const persons = async (): Promise<Array<{ user_id: string; person: string; n: string }>> =>
    (
      await clickhouse.query({
        query:
          "SELECT user_id, any(resolved_person_id) AS person, count() AS n FROM journey_events_resolved WHERE user_id != '' GROUP BY user_id ORDER BY user_id",
        format: 'JSONEachRow',
      })
    ).json();

  await send(
    config.TOPIC_BEHAVIOR,
    'a',
    segment('identify', { messageId: 'k1', userId: 'alice', traits: {} }, 1),
  );
  await send(
    config.TOPIC_BEHAVIOR,
    'b',
    segment('identify', { messageId: 'k2', userId: 'alice-work', traits: {} }, 2),
  );
  const before = await waitFor(
    'two persons',
    async () => ((await persons()).length === 2 ? persons() : undefined),
    60_000,
  );
  assert.notEqual(before[0]!.person, before[1]!.person, 'two known users are never merged automatically');

  const command = (body: object) => send(config.TOPIC_IDENTITY_COMMANDS, 'cmd', JSON.stringify(body));
  await command({
    command: 'force-merge',
    command_id: 'c1',
    person_id: before[0]!.person,
    other_person_id: before[1]!.person,
  });
  const merged = await waitFor(
    'force-merged',
    async () => {
      const now = await persons();
      return now.length === 2 && now[0]!.person === now[1]!.person ? now : undefined;
    },
    60_000,
  );
  await command({ command: 'delete', command_id: 'c2', person_id: merged[0]!.person });
  await waitFor('events deleted', async () => ((await persons()).length === 0 ? true : undefined), 60_000);
  // A replay of an old event of the deleted person stays suppressed.
  await send(
    config.TOPIC_BEHAVIOR,
    'a',
    segment('track', { messageId: 'k3', userId: 'alice', event: 'Old Event' }, 0),
  );
  await send(
    config.TOPIC_BEHAVIOR,
    'z',
    segment('track', { messageId: 'k4', userId: 'zed', event: 'Marker' }, 5),
  );
  await waitFor(
    'marker processed',
    async () => ((await persons()).some((p) => p.user_id === 'zed') ? true : undefined),
    60_000,
  );
  assert.deepEqual(
    (await persons()).map((p) => p.user_id),
    ['zed'],
    'the deleted person does not come back',
  );
});
