// `journey identity lookup`: a GDPR request names an email; the operator finds the person (and
// the id `identity delete` needs) in the running pipeline's ClickHouse. The email is found by its
// pseudonym only; a user id and an anonymous id merged into the same person lead to the same
// person; an unknown email finds nobody.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupIdentity, formatLookup } from '../../services/tools/identity-lookup.ts';
import { runningPipeline } from '../support/running-pipeline.ts';
import { waitFor } from '../support/stack.ts';

test('identity lookup by email, user id and anonymous id finds one person, its identifiers and accounts', async (t) => {
  const p = await runningPipeline(t);
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const calls = [
    {
      type: 'track',
      anonymousId: 'anon-lookup-1',
      event: 'Viewed Pricing',
      timestamp: at,
      messageId: 'lk-1',
    },
    {
      type: 'identify',
      anonymousId: 'anon-lookup-1',
      userId: 'user-lookup-1',
      traits: { email: ' Grace.Hopper@Example.com ' },
      timestamp: at,
      messageId: 'lk-2',
    },
    {
      type: 'track',
      userId: 'user-lookup-1',
      event: 'Logged In',
      context: { groupId: 'acc-lookup-1' },
      timestamp: at,
      messageId: 'lk-3',
    },
  ];
  await p.producer.send({
    topic: p.config.TOPIC_BEHAVIOR,
    messages: calls.map((c) => ({ key: 'user-lookup-1', value: JSON.stringify(c) })),
  });
  const { CLICKHOUSE_DATABASE: db, PII_HMAC_KEY: key } = p.config;
  const byEmail = await waitFor(
    'the person with all three events',
    async () => {
      const found = await lookupIdentity(p.clickhouse, db, key, {
        type: 'email',
        value: 'grace.hopper@example.com',
      });
      return found && found.events === 3 && found.accounts.length === 1 ? found : undefined;
    },
    60_000,
  );
  t.diagnostic(formatLookup(byEmail, { type: 'email', value: 'x' }));
  const byUser = await lookupIdentity(p.clickhouse, db, key, { type: 'user_id', value: 'user-lookup-1' });
  const byAnon = await lookupIdentity(p.clickhouse, db, key, {
    type: 'anonymous_id',
    value: 'anon-lookup-1',
  });
  assert.equal(byUser?.personId, byEmail.personId);
  assert.equal(byAnon?.personId, byEmail.personId);
  assert.deepEqual(byEmail.identifiers.map((i) => i.type).sort(), ['anonymous_id', 'email_hash', 'user_id']);
  assert.ok(!JSON.stringify(byEmail).includes('hopper'), 'no raw email anywhere in the answer');
  assert.match(
    formatLookup(byEmail, { type: 'email', value: 'x' }),
    new RegExp(`identity delete ${byEmail.personId}`),
  );
  assert.equal(
    await lookupIdentity(p.clickhouse, db, key, { type: 'email', value: 'nobody@example.com' }),
    null,
  );
});
