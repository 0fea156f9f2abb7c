import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countRecords, createMetrics } from './metrics.ts';

test('countRecords: each "result" or "result:reason" count on the stage, summed over batches', async () => {
  const metrics = createMetrics(false);
  countRecords(
    metrics,
    'ingest',
    new Map([
      ['ok', 5],
      ['dlq:too_deep', 2],
    ]),
  );
  countRecords(metrics, 'ingest', new Map([['ok', 3]]));
  countRecords(metrics, 'route', new Map([['duplicate', 1]]));
  const { values } = await metrics.records.get();
  const of = (stage: string, result: string, reason: string): number | undefined =>
    values.find((v) => v.labels.stage === stage && v.labels.result === result && v.labels.reason === reason)
      ?.value;
  assert.equal(of('ingest', 'ok', ''), 8);
  assert.equal(of('ingest', 'dlq', 'too_deep'), 2);
  assert.equal(of('route', 'duplicate', ''), 1);
  assert.equal(values.length, 3);
});
