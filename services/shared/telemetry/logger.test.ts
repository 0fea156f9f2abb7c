// Every log line is one JSON object with each field once. pino writes a child's bindings and a
// call's fields side by side without merging them, so the code binds each key once: the batch
// consumer binds `stage` only when the stage's logger has not (consumerLogger), and no call repeats
// a bound key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from './logger.ts';
import { consumerLogger } from '../kafka/batch-consumer.ts';
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

test("the batch consumer's lines carry each key once, with or without the stage bound by its caller", () => {
  for (const bound of [true, false]) {
    const { lines, stream } = capture();
    const command = createLogger('info', stream).child({ command: 'journey' });
    const stageLog = bound ? command.child({ stage: 'journey' }) : command;
    consumerLogger(stageLog, 'journey', 'journey-core').info(
      { assignment: { canonical: [0] } },
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
  }
});

test('nested objects and tricky strings are written as they are; secrets stay masked', () => {
  registerSecret('logger-test-secret-0a1b');
  const { lines, stream } = capture();
  const log = createLogger('info', stream).child({ stage: 'ingest' });
  log.error(
    {
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
