// Every log line is one JSON object with each field once: a child logger's bindings and the
// fields of the call are not written side by side twice (the batch consumer logs `{ stage, … }`
// to a logger that is already `log.child({ stage })`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, withUniqueKeys } from './logger.ts';
import { registerSecret } from '../config/secrets.ts';

function capture(): { lines: string[]; stream: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(line) } };
}

/** The top-level keys as written (JSON.parse would hide a repeated key by keeping the last). */
function writtenKeys(line: string): string[] {
  const parsed = JSON.parse(line) as Record<string, unknown>;
  return Object.keys(parsed).flatMap((key) => {
    const times = line.split(`${JSON.stringify(key)}:`).length - 1;
    return Array.from({ length: times }, () => key);
  });
}

test('a child logger line carries each key once', () => {
  const { lines, stream } = capture();
  const log = createLogger('info', stream).child({ command: 'journey' }).child({ stage: 'journey' });
  // What runBatchConsumer does with the stage's child logger.
  log.info(
    { stage: 'journey', groupId: 'journey-core', assignment: { canonical: [0] } },
    'partitions assigned',
  );
  assert.equal(lines.length, 1);
  const keys = writtenKeys(lines[0]!);
  assert.deepEqual(keys, [...new Set(keys)], lines[0]);
  const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(parsed.stage, 'journey');
  assert.equal(parsed.command, 'journey');
  assert.equal(parsed.groupId, 'journey-core');
  assert.deepEqual(parsed.assignment, { canonical: [0] });
  assert.equal(parsed.msg, 'partitions assigned');
  assert.ok(lines[0]!.endsWith('}\n'));
});

test('a key bound twice keeps the innermost value, once', () => {
  const { lines, stream } = capture();
  createLogger('info', stream).child({ module: 'outer' }).child({ module: 'kafkajs' }).warn('retrying');
  const keys = writtenKeys(lines[0]!);
  assert.deepEqual(keys, [...new Set(keys)], lines[0]);
  assert.equal((JSON.parse(lines[0]!) as { module: string }).module, 'kafkajs');
});

test('nested objects and tricky strings are left as they are; secrets stay masked', () => {
  registerSecret('logger-test-secret-0a1b');
  const { lines, stream } = capture();
  const log = createLogger('info', stream).child({ stage: 'ingest' });
  log.error(
    {
      stage: 'ingest',
      batch: { stage: 'nested', items: [{ stage: 1 }] },
      note: 'quote " brace } comma , "stage":"fake" logger-test-secret-0a1b',
    },
    'failed',
  );
  const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.deepEqual(parsed.batch, { stage: 'nested', items: [{ stage: 1 }] });
  assert.equal(parsed.note, 'quote " brace } comma , "stage":"fake" ***');
  assert.equal(parsed.stage, 'ingest');
  assert.equal(lines[0]!.split('"stage":"ingest"').length - 1, 1, lines[0]);
});

test('withUniqueKeys: only repeated top-level keys change; anything not an object passes through', () => {
  assert.equal(withUniqueKeys('{"a":1,"b":{"a":2},"a":3}\n'), '{"b":{"a":2},"a":3}\n');
  const unique = '{"a":1,"b":[1,{"a":2}],"c":"x,\\"a\\":1"}\n';
  assert.equal(withUniqueKeys(unique), unique);
  assert.equal(withUniqueKeys('{}\n'), '{}\n');
  assert.equal(withUniqueKeys('not json\n'), 'not json\n');
  assert.equal(withUniqueKeys('{"a":"unterminated'), '{"a":"unterminated');
});
