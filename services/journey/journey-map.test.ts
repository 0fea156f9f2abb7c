import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JourneyMapError } from './journey-map.ts';
import { loadJourneyMap, parseJourneyMap } from './journey-map.ts';

test('the shipped journey maps are valid', () => {
  const b2b = loadJourneyMap('config/journeys/b2b-saas.yaml');
  assert.deepEqual(
    b2b.stages.map((s) => s.id),
    ['acquisition', 'activation', 'engagement', 'expansion', 'churn-risk', 'churned'],
  );
  assert.deepEqual(b2b.activation, { event: 'Logged In', times: 3, distinct_days: true, within_days: 7 });
  assert.equal(loadJourneyMap('config/journeys/b2c.yaml').name, 'b2c');
});

test('errors name the file, the line and the field', () => {
  const text = [
    'name: broken', // 1
    'version: 1', // 2
    'lateness_minutes: 5', // 3
    'stages:', // 4
    '  - id: acquisition', // 5
    '    conversion:', // 6
    '      - where: {}', // 7
    '    voice_question: q', // 8
    '    revenue: r', // 9
    '  - id: Bad Id', // 10
    '    conversion: []', // 11
    '    voice_question: q', // 12
    '    revenue: r', // 13
  ].join('\n');
  assert.throws(
    () => parseJourneyMap(text, 'maps/broken.yaml'),
    (err: JourneyMapError) => {
      const all = err.problems.join('\n');
      assert.match(all, /maps\/broken\.yaml:7: stages\[0\]\.conversion\[0\]/);
      assert.match(all, /maps\/broken\.yaml:10: stages\[1\]\.id: lower-case id/);
      assert.match(all, /maps\/broken\.yaml:1: activation: required/);
      return true;
    },
  );
});

test('YAML syntax errors carry the line', () => {
  assert.throws(() => parseJourneyMap('name: x\nstages: [\n', 'bad.yaml'), /bad\.yaml:\d+:/);
});
