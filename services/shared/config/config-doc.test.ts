// docs/configuration.md is generated from CONFIG_VARIABLES; this fails when it is stale
// (regenerate: node services/shared/config/config-doc.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONFIG_DOC, renderConfigDoc } from './config-doc.ts';
import { CONFIG_VARIABLES, SECRET_VARIABLES } from './config.ts';

test('docs/configuration.md matches CONFIG_VARIABLES', () => {
  assert.equal(
    readFileSync(CONFIG_DOC, 'utf8'),
    renderConfigDoc(),
    'stale: run node services/shared/config/config-doc.ts',
  );
});

test('every variable has one row; secrets are marked with their _FILE form', () => {
  const doc = renderConfigDoc();
  for (const name of Object.keys(CONFIG_VARIABLES)) {
    const rows = doc.split('\n').filter((line) => line.startsWith(`| \`${name}\` |`));
    assert.equal(rows.length, 1, name);
    assert.equal(rows[0]!.includes(`\`${name}_FILE\``), SECRET_VARIABLES.has(name), name);
  }
  assert.match(doc, /\| `PII_HMAC_KEY` \| text \| \*\*required\*\* \|/);
  assert.match(doc, /\| `KAFKA_SSL` \| `0`, `1`, `true`, `false` \| `false` \|/);
  assert.match(doc, /\| `JOURNEY_IDLE_TICK_SECONDS` \| integer ≥ 0 \| `60` \|/);
  assert.match(doc, /\| `INSTANCE_ID` \| .* \| _the host name_ \|/);
});
