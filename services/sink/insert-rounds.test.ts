// Group commit of ClickHouse inserts (insert-rounds.ts) on the real engine (chdb): batches written
// within one turn of the event loop share the first round, batches that come while a round is in
// flight share the next one (one insert per table), each is told when its
// rows are stored, a refused row goes back to the batch it came from, a round that fails fails
// each of its batches, and a lone batch keeps its own dedup token.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClickHouseClient } from '@clickhouse/client';
import { createChdbTestClient } from '../../test/support/chdb-test-client.ts';
import { migrate } from './migrate.ts';
import { InsertRounds } from './insert-rounds.ts';
import { dedupToken, writeRows } from './write-rows.ts';
import type { BatchOrigin, WriteOptions } from './write-rows.ts';
import { journeyEventRow } from './rows/event-rows.ts';
import { fixtureEvent } from '../../test/fixtures/metrics-fixture.ts';

const client = createChdbTestClient();
const database = 'rounds';
const origin = (partition: number, first: number): BatchOrigin => ({
  topic: 'resolved',
  partition,
  firstOffset: String(first),
  lastOffset: String(first + 1),
});
const events = (person: string, names: string[]) =>
  new Map([
    [
      'journey_events',
      names.map((name, i) => journeyEventRow(fixtureEvent(person, 'a1', name, `2026-03-01 1${i}:00`))),
    ],
  ]);
const stored = async (): Promise<string[]> =>
  (
    await (
      await client.query({
        query: `SELECT name FROM ${database}.journey_events ORDER BY name`,
        format: 'JSONEachRow',
      })
    ).json<{ name: string }>()
  ).map((r) => r.name);

before(async () => {
  await migrate(client, { database });
});

/** One turn of the event loop: the first round of an idle writer is taken. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** writeRows, recording each round's tables, row counts and tokens. */
function recording(rounds: Array<{ tokens: string[]; rows: number[] }>) {
  return (
    c: ClickHouseClient,
    rows: ReadonlyMap<string, ReadonlyArray<object>>,
    o: BatchOrigin,
    options: WriteOptions,
  ) => {
    rounds.push({
      tokens: [...rows.keys()].map((t) => dedupToken(o, t)),
      rows: [...rows.values()].map((r) => r.length),
    });
    return writeRows(c, rows, o, options);
  };
}

test('batches that come during a round share the next one; a refused row goes back to its batch', async () => {
  await client.command({ query: `TRUNCATE TABLE ${database}.journey_events` });
  await client.command({
    query: `ALTER TABLE ${database}.journey_events ADD CONSTRAINT IF NOT EXISTS refuses_one CHECK name != 'Refused'`,
  });
  const rounds: Array<{ tokens: string[]; rows: number[] }> = [];
  const writer = new InsertRounds(client, recording(rounds));
  const refused: Array<[number, string]> = [];
  const options = (partition: number): WriteOptions => ({
    database,
    onRejectedRow: (table) => refused.push([partition, table]),
  });
  // The first goes out alone (nothing else came within its turn of the event loop); the next three
  // come while it is being inserted, wait for it and go together.
  const first = writer.write(events('p0', ['A0']), origin(0, 10), options(0));
  await nextTurn();
  const writes = [
    first,
    writer.write(events('p1', ['B1', 'B2']), origin(1, 20), options(1)),
    writer.write(events('p2', ['C1', 'Refused', 'C3']), origin(2, 30), options(2)),
    writer.write(events('p3', ['D1']), origin(3, 40), options(3)),
  ];
  await Promise.all(writes);
  assert.deepEqual(await stored(), ['A0', 'B1', 'B2', 'C1', 'C3', 'D1']);
  assert.deepEqual(refused, [[2, 'journey_events']], 'the refused row is handed to the batch it came from');
  assert.deepEqual(
    rounds.map((r) => r.rows),
    [[1], [6]],
  );
  assert.equal(rounds[0]!.tokens[0], 'resolved:0:10-11:journey_events', 'a lone batch keeps its own token');
  assert.equal(rounds[1]!.tokens[0], 'resolved:1:20-21+resolved:2:30-31+resolved:3:40-41:journey_events');
  await client.command({ query: `ALTER TABLE ${database}.journey_events DROP CONSTRAINT refuses_one` });
});

test('batches written within one turn of the event loop share the first round', async () => {
  await client.command({ query: `TRUNCATE TABLE ${database}.journey_events` });
  const rounds: Array<{ tokens: string[]; rows: number[] }> = [];
  const writer = new InsertRounds(client, recording(rounds));
  // As the batches of one fetch reach their insert: one after another, with settled awaits between.
  const first = writer.write(events('p0', ['A0']), origin(0, 10), { database });
  await Promise.resolve();
  const second = writer.write(events('p1', ['B1', 'B2']), origin(1, 20), { database });
  await Promise.all([first, second]);
  assert.deepEqual(
    rounds.map((r) => r.rows),
    [[3]],
  );
  assert.deepEqual(await stored(), ['A0', 'B1', 'B2']);
});

test('a round that fails fails each of its batches; the rounds before and after are written', async () => {
  await client.command({ query: `TRUNCATE TABLE ${database}.journey_events` });
  const writer = new InsertRounds(client);
  const zombie: WriteOptions = {
    database,
    beforeInsert: () => {
      throw new Error('stale member');
    },
  };
  const first = writer.write(events('p0', ['A0']), origin(0, 10), { database });
  await nextTurn();
  // Both come while the first is in flight: one round, which the zombie's gate stops.
  const second = writer.write(events('p1', ['B1']), origin(1, 20), zombie);
  const third = writer.write(events('p2', ['C1']), origin(2, 30), { database });
  await first;
  await assert.rejects(second, /stale member/);
  await assert.rejects(third, /stale member/);
  await writer.write(events('p3', ['D1']), origin(3, 40), { database });
  assert.deepEqual(await stored(), ['A0', 'D1']);
});

test('alone(): work runs after the round in flight and before the next', async () => {
  await client.command({ query: `TRUNCATE TABLE ${database}.journey_events` });
  const log: string[] = [];
  const writer = new InsertRounds(client, async (c, rows, o, options) => {
    log.push(`insert ${[...rows.values()].flat().length}`);
    await writeRows(c, rows, o, options);
    log.push('inserted');
  });
  const first = writer.write(events('p0', ['A0']), origin(0, 10), { database });
  await nextTurn();
  const erasing = writer.alone(async () => {
    log.push('alone');
    await new Promise((resolve) => setImmediate(resolve));
    log.push('alone done');
  });
  const second = writer.write(events('p1', ['B1', 'B2']), origin(1, 20), { database });
  await Promise.all([first, erasing, second]);
  assert.deepEqual(log, ['insert 1', 'inserted', 'alone', 'alone done', 'insert 2', 'inserted']);
  assert.deepEqual(await stored(), ['A0', 'B1', 'B2']);
});
