// A row ClickHouse refuses for good (here: a CHECK constraint on journey_events that one event
// breaks; in life a value a column cannot hold) does not block the journey stage (issue #14, item
// 6): the batch's other rows are stored, the refused row is dead-lettered with reason
// clickhouse_rejected and its table, the groups reach the end of their topics, and nothing is
// reported blocked. Before, the insert was retried for ever while /readyz said 200.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDeadLetterHeaders } from '../../services/shared/kafka/dead-letter.ts';
import { testKafka, uniqueName, waitFor } from '../support/stack.ts';
import { runningPipeline } from '../support/running-pipeline.ts';

test('a row the table refuses is dead-lettered; the other rows are stored and the stage goes on', async (t) => {
  const { config, clickhouse, producer, problems, settled } = await runningPipeline(t, {
    TOPIC_PARTITIONS: '1',
  });
  await clickhouse.command({
    query: "ALTER TABLE journey_events ADD CONSTRAINT refuses_one CHECK name != 'Refused By ClickHouse'",
  });
  const at = Date.now() - 3_600_000;
  const track = (i: number, event: string) => ({
    key: 'refused-user',
    value: JSON.stringify({
      type: 'track',
      messageId: `refused-${i}`,
      userId: 'refused-user',
      event,
      timestamp: new Date(at + i * 1000).toISOString(),
    }),
  });
  await producer.send({
    topic: config.TOPIC_BEHAVIOR,
    messages: [0, 1, 2, 3, 4, 5, 6].map((i) => track(i, i === 3 ? 'Refused By ClickHouse' : 'Logged In')),
  });

  const stored = async (): Promise<number> =>
    Number(
      (
        await (
          await clickhouse.query({ query: 'SELECT count() AS n FROM journey_events', format: 'JSONEachRow' })
        ).json<{ n: string }>()
      )[0]!.n,
    );
  await waitFor('the six accepted events', async () => ((await stored()) === 6 ? true : undefined), 90_000);
  await settled([config.TOPIC_BEHAVIOR]);
  assert.deepEqual(problems(), []);

  const consumer = testKafka().consumer({ groupId: uniqueName('refused-dlq') });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topic: config.TOPIC_DLQ, fromBeginning: true });
  const letters: Array<{ reason: string; table: string | null; step: string; row: { name?: string } }> = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      const letter = readDeadLetterHeaders(message.headers as Record<string, Buffer>);
      letters.push({ ...letter, row: JSON.parse(String(message.value)) as { name?: string } });
    },
  });
  await waitFor('the dead letter', () => (letters.length > 0 ? true : undefined), 60_000);
  assert.equal(letters.length, 1);
  assert.equal(letters[0]!.reason, 'clickhouse_rejected');
  assert.equal(letters[0]!.table, 'journey_events');
  assert.equal(letters[0]!.step, 'writeRows');
  assert.equal(letters[0]!.row.name, 'Refused By ClickHouse');
  assert.equal(await stored(), 6);
});
