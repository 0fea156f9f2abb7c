import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessageStep, UnknownSchemaError, UnparseableSchemaError } from './decode-message-step.ts';
import { DEFAULT_INGEST_LIMITS } from './ingest-config.ts';
import { registryLookup, SchemaRegistryUnavailableError } from './lookup-registry-schema.ts';

const schema = JSON.stringify({ type: 'record', name: 'T', fields: [{ name: 'a', type: 'string' }] });

function fakeFetch(responses: Array<() => Response>): { fetch: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: (async (url: string) => {
      calls.push(url);
      const next = responses.shift();
      if (!next) throw new Error('no more responses');
      return next();
    }) as unknown as typeof fetch,
  };
}

test('a known id is fetched once and cached', async () => {
  const { fetch, calls } = fakeFetch([() => Response.json({ schema })]);
  const lookup = registryLookup({ url: 'http://registry/apis/ccompat/v7/' }, fetch);
  const first = await lookup(7);
  const second = await lookup(7);
  assert.equal(first, second);
  assert.deepEqual(calls, ['http://registry/apis/ccompat/v7/schemas/ids/7']);
});

test('404 means unknown schema id (poison), 5xx and network errors mean unavailable (transient)', async () => {
  const { fetch } = fakeFetch([
    () => new Response('{"error_code":40403}', { status: 404 }),
    () => new Response('oops', { status: 503 }),
    () => {
      throw new TypeError('fetch failed');
    },
  ]);
  const lookup = registryLookup({ url: 'http://registry' }, fetch);
  await assert.rejects(lookup(1), UnknownSchemaError);
  await assert.rejects(lookup(2), SchemaRegistryUnavailableError);
  await assert.rejects(lookup(3), SchemaRegistryUnavailableError);
});

test('basic auth is sent when configured', async () => {
  let auth = '';
  const lookup = registryLookup({ url: 'http://registry', username: 'u', password: 'p' }, (async (
    _url: string,
    init: RequestInit,
  ) => {
    auth = (init.headers as Record<string, string>).Authorization ?? '';
    return Response.json({ schema });
  }) as unknown as typeof fetch);
  await lookup(1);
  assert.equal(auth, `Basic ${Buffer.from('u:p').toString('base64')}`);
});

test('a schema avsc cannot parse is poison: dlq unparseable_writer_schema, not a retry, fetched once (#14)', async () => {
  for (const broken of ['not json at all', '{"type":"recrod","name":"T","fields":[]}', '{"type":"record"}']) {
    const { fetch, calls } = fakeFetch([() => Response.json({ schema: broken })]);
    const lookup = registryLookup({ url: 'http://registry' }, fetch);
    await assert.rejects(lookup(5), UnparseableSchemaError);
    const frame = Buffer.from([0, 0, 0, 0, 5, 2, 0x61]);
    const decoded = await decodeMessageStep(frame, lookup, DEFAULT_INGEST_LIMITS);
    assert.equal(decoded.kind, 'dlq', broken);
    assert.equal(decoded.kind === 'dlq' && decoded.reason, 'unparseable_writer_schema');
    assert.equal(calls.length, 1, 'the unparseable schema is remembered, not fetched per message');
  }
});
