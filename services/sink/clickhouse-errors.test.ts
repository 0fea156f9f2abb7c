// The error taxonomy is a pure function of the error's code: server codes (number or numeric
// string, on the error or its cause), socket codes, client timeouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ClickHouseRejectedError,
  RETRYABLE_CODES,
  classifyClickHouseError,
  clickHouseErrorCode,
} from './clickhouse-errors.ts';

const withCode = (code: unknown): Error => Object.assign(new Error('boom'), { code });

test('every listed server code is retryable, as a number or a numeric string', () => {
  for (const code of RETRYABLE_CODES.keys()) {
    assert.equal(classifyClickHouseError(withCode(code)), 'retryable', String(code));
    assert.equal(classifyClickHouseError(withCode(String(code))), 'retryable', String(code));
  }
  for (const code of [159, 202, 209, 210, 241, 242, 252, 285, 319, 425, 999])
    assert.ok(RETRYABLE_CODES.has(code), `${code} must be retryable`);
});

test('schema, syntax, data and access errors are permanent', () => {
  for (const code of ['62', '27', '60', '81', '53', '6', '72', '117', '164', '497', '516', 62, 60])
    assert.equal(classifyClickHouseError(withCode(code)), 'permanent', String(code));
});

test('network faults are retryable, also when they are the cause', () => {
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET'])
    assert.equal(classifyClickHouseError(withCode(code)), 'retryable', code);
  const wrapped = new Error('fetch failed', { cause: withCode('ECONNRESET') });
  assert.equal(classifyClickHouseError(wrapped), 'retryable');
  const serverCause = new Error('insert failed', { cause: withCode('252') });
  assert.equal(clickHouseErrorCode(serverCause), 252);
});

test('a client-side timeout is retryable; an error without a code is a programming error', () => {
  const timeout = new Error('Timeout error.');
  timeout.name = 'TimeoutError';
  assert.equal(classifyClickHouseError(timeout), 'retryable');
  assert.equal(classifyClickHouseError(new TypeError('x is undefined')), 'permanent');
  assert.equal(classifyClickHouseError(withCode('EACCES')), 'permanent');
  assert.equal(classifyClickHouseError(null), 'permanent');
});

test('ClickHouseRejectedError keeps the table, the code and the cause', () => {
  const cause = withCode('60');
  const err = new ClickHouseRejectedError('journey_events', cause);
  assert.equal(err.code, 60);
  assert.equal(err.table, 'journey_events');
  assert.equal(err.cause, cause);
  assert.match(err.message, /journey_events \(code 60\): boom/);
});
