// GDPR deletion end to end (issue #14, "Deletion that deletes"): a person known by an anonymous
// id, a user id, an email and a ticket requester id, in an account with another person, with a
// ticket, a survey answer and a dead letter keyed by its anonymous id. After `delete`, no table
// or view of the database holds any of its ids (every string column searched), the activity
// rollup no longer counts it, and the latest value of every compacted-changelog key that named
// it is a tombstone while no other latest value names it. A replay of its old events stays out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueName, waitFor } from '../support/stack.ts';
import { runningPipeline } from '../support/running-pipeline.ts';
import { searchDatabase } from '../support/search-database.ts';
import { latestChangelog } from '../support/latest-changelog.ts';
import { createKafka } from '../../services/shared/kafka/kafka-client.ts';
import { memberKey } from '../../services/journey/bounded-sets.ts';
import { ticketPayload } from '../../services/workload/ticket-payload.ts';
import { surveyPayload } from '../../services/workload/survey-payload.ts';

const DAY = Date.UTC(2026, 10, 2, 9, 0);
const at = (minute: number): number => DAY + minute * 60_000;
const call = (type: string, minute: number, fields: Record<string, unknown>): string =>
  JSON.stringify({
    type,
    timestamp: new Date(at(minute)).toISOString(),
    sentAt: new Date(at(minute)).toISOString(),
    receivedAt: new Date(at(minute)).toISOString(),
    context: {},
    ...fields,
  });

const ANON = 'gdpr-anon-1';
const USER = 'gdpr-user-1';
const EMAIL = 'Gdpr.Person@Example.com';
const REQUESTER = 'gdpr-requester-1';
const ORG = 'gdpr-org-1';
const IDENTIFY = call('identify', 3, {
  messageId: 'g3',
  anonymousId: ANON,
  userId: USER,
  traits: { email: EMAIL, name: 'Gdpr Person' },
});

test('GDPR delete: the person leaves every table and changelog, and a replay does not bring it back', async (t) => {
  const { config, clickhouse, producer, commandsApplied } = await runningPipeline(t);
  const send = (topic: string, key: string, value: string) =>
    producer.send({ topic, messages: [{ key, value }] });
  const query = async <T>(q: string, params: Record<string, unknown> = {}): Promise<T[]> =>
    (await clickhouse.query({ query: q, query_params: params, format: 'JSONEachRow' })).json<T>();

  await send(
    config.TOPIC_BEHAVIOR,
    ANON,
    call('page', 1, { messageId: 'g1', anonymousId: ANON, name: 'Pricing' }),
  );
  await send(
    config.TOPIC_BEHAVIOR,
    ANON,
    call('track', 2, { messageId: 'g2', anonymousId: ANON, event: 'Signed Up' }),
  );
  await send(config.TOPIC_BEHAVIOR, ANON, IDENTIFY);
  await send(
    config.TOPIC_BEHAVIOR,
    USER,
    call('group', 4, { messageId: 'g4', userId: USER, groupId: ORG, traits: { name: 'Gdpr Org' } }),
  );
  await send(
    config.TOPIC_BEHAVIOR,
    USER,
    call('track', 5, { messageId: 'g5', userId: USER, event: 'Logged In' }),
  );
  await send(
    config.TOPIC_BEHAVIOR,
    'keep-user-1',
    call('identify', 6, { messageId: 'k1', userId: 'keep-user-1', traits: {} }),
  );
  await send(
    config.TOPIC_BEHAVIOR,
    'keep-user-1',
    call('group', 7, { messageId: 'k2', userId: 'keep-user-1', groupId: ORG, traits: {} }),
  );
  const ticket = ticketPayload({
    ticketId: 'gdpr-ticket-1',
    kind: 'created',
    requester: { id: REQUESTER, email: EMAIL, userId: USER },
    organization: { id: 'gdpr-zd-org', accountId: ORG, name: 'Gdpr Org' },
    status: 'new',
    priority: 'high',
    channel: 'email',
    tags: ['billing'],
    subject: `Invoice question, write to ${EMAIL}`,
    category: 'billing',
    rating: null,
    createdMs: at(8),
    updatedMs: at(8),
    solvedMs: null,
  });
  await send(config.TOPIC_TICKETS, USER, JSON.stringify(ticket));
  const survey = surveyPayload({
    responseId: 'gdpr-survey-1',
    surveyId: 'nps_q4',
    kind: 'nps',
    question: 'Would you recommend us?',
    score: 3,
    comment: `Too slow. Mail me at ${EMAIL}`,
    userId: USER,
    email: EMAIL,
    anonymousId: null,
    accountId: ORG,
    stage: 'engagement',
    answeredMs: at(9),
  });
  await send(config.TOPIC_SURVEYS, USER, JSON.stringify(survey));
  await send(config.TOPIC_BEHAVIOR, ANON, 'not json: a dead letter keyed by the anonymous id');

  // Stored: the person's 7 events under one resolved person, the other person's 2, the dead letter.
  type Resolved = { resolved_person_id: string; person_id: string; email_hash: string; account_id: string };
  const personRows = (): Promise<Resolved[]> =>
    query<Resolved>(
      `SELECT resolved_person_id, person_id, email_hash, account_id FROM journey_events_resolved
       WHERE resolved_person_id IN (SELECT resolved_person_id FROM journey_events_resolved WHERE user_id = {u:String})`,
      { u: USER },
    );
  const stored = await waitFor(
    "the person's events, the other person's and the dead letter stored",
    async () => {
      const rows = await personRows();
      const [{ keep, dead }] = (await query<{ keep: string; dead: string }>(
        `SELECT (SELECT count() FROM journey_events WHERE user_id = 'keep-user-1') AS keep,
                (SELECT count() FROM dlq_events WHERE message_key = {a:String}) AS dead`,
        { a: ANON },
      )) as [{ keep: string; dead: string }];
      return rows.length === 7 && Number(keep) === 2 && Number(dead) >= 1 ? rows : undefined;
    },
    90_000,
  );
  const person = stored[0]!.resolved_person_id;
  assert.deepEqual(new Set(stored.map((r) => r.resolved_person_id)), new Set([person]), 'one person');
  const account = stored.find((r) => r.account_id !== '')!.account_id;
  const emailHash = stored.find((r) => r.email_hash !== '')!.email_hash;
  const keys = (
    await query<{ identifier_key: string }>(
      'SELECT identifier_key FROM identity_map FINAL WHERE person_id = {p:String}',
      { p: person },
    )
  ).map((r) => r.identifier_key);
  const personIds = [...new Set([person, ...stored.map((r) => r.person_id)])];
  const values = [
    ...new Set([...personIds, ANON, USER, emailHash, REQUESTER, ...keys, ...keys.map((k) => k.slice(2))]),
  ];
  assert.ok(
    keys.includes(`u:${USER}`) && keys.includes(`a:${ANON}`) && keys.includes(`e:${emailHash}`),
    keys.join(),
  );
  assert.ok(
    personIds.length >= 2,
    'events were stored under the anonymous person too (re-attributed by override)',
  );
  const rolledUpPersons = async (): Promise<number> =>
    Number(
      (
        (await query<{ n: string }>(
          'SELECT uniqExactMerge(persons) AS n FROM account_activity_daily WHERE account_id = {a:String}',
          { a: account },
        )) as [{ n: string }]
      )[0].n,
    );
  assert.equal(await rolledUpPersons(), 2, 'the rollup counts both persons of the account');

  // The search can fail: before the deletion it finds the person in the tables and the changelogs.
  const before = await searchDatabase(clickhouse, config.CLICKHOUSE_DATABASE, values);
  for (const table of ['journey_events', 'identity_map', 'person_overrides', 'dlq_events'])
    assert.ok(
      before.hits.some((h) => h.table === table),
      `${table} names the person before the deletion`,
    );
  const kafka = createKafka(config, uniqueName('gdpr-read'));
  const journeyBefore = await latestChangelog(kafka, config.TOPIC_JOURNEY_CHANGELOG);
  const memberKeys = personIds.map(memberKey);
  const namesPerson = (v: string | null): boolean => v !== null && personIds.some((p) => v.includes(p));
  const keepsMember = (v: string | null): boolean => v !== null && memberKeys.some((k) => v.includes(k));
  assert.ok([...journeyBefore.values()].some(namesPerson), 'an account state names the person (champion)');
  assert.ok([...journeyBefore.values()].some(keepsMember), "an account state keeps the person's member key");

  await send(
    config.TOPIC_IDENTITY_COMMANDS,
    'cmd',
    JSON.stringify({ command: 'delete', command_id: 'gdpr-cmd-1', person_id: person }),
  );
  await commandsApplied();

  const after = await searchDatabase(clickhouse, config.CLICKHOUSE_DATABASE, values);
  assert.ok(after.columnsSearched > 50, `every string column searched (${after.columnsSearched})`);
  assert.deepEqual(after.hits, [], `no table names the person (searched: ${after.tables.join(', ')})`);
  assert.equal(await rolledUpPersons(), 1, 'the rollup no longer counts the person');
  const [{ keep }] = (await query<{ keep: string }>(
    "SELECT count() AS keep FROM journey_events WHERE user_id = 'keep-user-1'",
  )) as [{ keep: string }];
  assert.equal(Number(keep), 2, "the other person's events stay");
  const [{ audit }] = (await query<{ audit: string }>(
    "SELECT count() AS audit FROM identity_changes WHERE kind = 'deletion' AND event_id = 'gdpr-cmd-1'",
  )) as [{ audit: string }];
  assert.equal(Number(audit), 1, 'the deletion is audited by its command id');

  // Compacted changelogs: every key that names the person ends in a tombstone; no other latest
  // value names it; account states neither name it as champion nor keep its member key.
  for (const topic of [config.TOPIC_IDENTITY_CHANGELOG, config.TOPIC_JOURNEY_CHANGELOG]) {
    const latest = await latestChangelog(kafka, topic);
    let personKeys = 0;
    for (const [key, value] of latest) {
      if (values.some((v) => key.includes(v))) {
        personKeys++;
        assert.equal(value, null, `${topic} ${key}: latest value is a tombstone`);
      } else if (value !== null) {
        assert.ok(!values.some((v) => value.includes(v)), `${topic} ${key} names the person: ${value}`);
        // Member keys are 8 hex digits inside the state's members field (serialize-state.ts).
        if (topic === config.TOPIC_JOURNEY_CHANGELOG)
          assert.ok(!keepsMember(value), `${key} keeps the person's member key: ${value}`);
      }
    }
    if (topic === config.TOPIC_IDENTITY_CHANGELOG)
      assert.ok(personKeys >= 4, `identity keys tombstoned: ${personKeys}`);
  }

  // A replay of the person's old events (the same message, and a new one from before the
  // deletion) stays suppressed; a marker from someone else shows the replay was processed.
  await send(config.TOPIC_BEHAVIOR, ANON, IDENTIFY);
  await send(
    config.TOPIC_BEHAVIOR,
    USER,
    call('track', 10, { messageId: 'g10', userId: USER, anonymousId: ANON, event: 'Old Event' }),
  );
  await send(
    config.TOPIC_BEHAVIOR,
    'marker-user-1',
    call('track', 11, { messageId: 'm1', userId: 'marker-user-1', event: 'Marker' }),
  );
  await waitFor(
    'marker stored',
    async () => {
      const [{ n }] = (await query<{ n: string }>(
        "SELECT count() AS n FROM journey_events WHERE user_id = 'marker-user-1'",
      )) as [{ n: string }];
      return Number(n) === 1 ? true : undefined;
    },
    90_000,
  );
  const replayed = await searchDatabase(clickhouse, config.CLICKHOUSE_DATABASE, values);
  assert.deepEqual(replayed.hits, [], 'the replay did not bring the person back');
});
