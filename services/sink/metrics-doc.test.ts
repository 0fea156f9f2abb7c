// docs/metrics.md is generated from the schema and real results on the metric fixture: it must be
// what the current migrations and queries produce (regenerate: node scripts/metrics-doc.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { METRICS_DOC, renderMetricsDocOnFixture } from '../../scripts/metrics-doc.ts';
import { metricQueries } from './metric-queries.ts';

test('docs/metrics.md is up to date and documents every metric query with an example', async () => {
  const rendered = await renderMetricsDocOnFixture();
  for (const name of metricQueries().keys()) assert.match(rendered, new RegExp(`### ${name}\\n`));
  assert.equal(readFileSync(METRICS_DOC, 'utf8'), rendered, 'stale: run node scripts/metrics-doc.ts');
});
