import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { SNAPSHOT_URL, snapshotText } from './corpus-snapshot.ts';
import { poisonCorpus } from './poison-corpus.ts';

const corpus = poisonCorpus();

test('the committed snapshot is the generator output (node test/poison/write-corpus.ts)', () => {
  const committed = gunzipSync(readFileSync(SNAPSHOT_URL)).toString('utf8');
  // Compare without printing megabytes of base64 on a mismatch.
  assert.ok(
    committed === snapshotText(corpus),
    'poison-corpus.json.gz is stale: run test/poison/write-corpus.ts',
  );
});

test('the generator is deterministic', () => {
  assert.ok(snapshotText(poisonCorpus()) === snapshotText(corpus));
});

test('at least 60 messages in at least 15 snake_case classes, over every source and the commands', () => {
  assert.ok(corpus.length >= 60, `${corpus.length} messages`);
  const classes = new Set(corpus.map((m) => m.class));
  assert.ok(classes.size >= 15, `${classes.size} classes`);
  for (const c of classes) assert.match(c, /^[a-z]+(?:_[a-z0-9]+)*$/);
  const sources = new Set(corpus.map((m) => m.source));
  assert.deepEqual([...sources].sort(), ['behavior', 'billing', 'commands', 'surveys', 'tickets']);
  for (const m of corpus) {
    assert.ok(m.note.length > 0, `${m.class}: a note`);
    assert.ok(!(m.accepted && m.expectedReason), `${m.class} ${m.note}: accepted or a reason, not both`);
    if (m.expectedReason !== undefined) assert.match(m.expectedReason, /^[a-z]+(?:_[a-z0-9]+)*$/);
  }
});

test('the classes the issue names are all there', () => {
  const classes = new Set(corpus.map((m) => m.class));
  const named = [
    'number_extremes',
    'timestamp_out_of_range',
    'wrong_types',
    'prototype_keys',
    'lone_surrogate_escape',
    'lone_surrogate_bytes',
    'deep_json',
    'wide_json',
    'huge_strings',
    'huge_arrays',
    'email_growth',
    'email_redos',
    'confluent_unknown_schema_id',
    'truncated_confluent_frame',
    'avro_body_mismatch',
    'unparseable_writer_schema',
    'avro_block_count_bomb',
    'null_body',
    'empty_body',
    'non_json_bytes',
    'json_not_object',
  ];
  assert.deepEqual(
    named.filter((c) => !classes.has(c)),
    [],
  );
});
