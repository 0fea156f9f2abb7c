// Journey map validation: the shipped maps load; every problem names file, line and field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JourneyMapError, loadJourneyMap, parseJourneyMap } from './journey-map.ts';

test('the shipped journey maps are valid', () => {
  const b2b = loadJourneyMap('config/journeys/b2b-saas.yaml');
  assert.deepEqual(
    b2b.stages.map((s) => s.id),
    ['acquisition', 'activation', 'engagement', 'expansion', 'churn-risk', 'churned'],
  );
  assert.deepEqual(b2b.activation, { event: 'Logged In', times: 3, distinct_days: true, within_days: 7 });
  assert.equal(b2b.churn_risk.exit_active_days, 2);
  const b2c = loadJourneyMap('config/journeys/b2c.yaml');
  assert.equal(b2c.name, 'b2c');
  assert.equal(b2c.churn_risk.usage_drop, undefined);
});

const VALID = `name: test
version: 3
lateness_minutes: 10
stages:
  - id: a
    conversion:
      - event: Signed Up
    voice_question: q
    revenue: r
  - id: b
    conversion:
      - activation: true
    voice_question: q
    revenue: r
  - id: c
    voice_question: q
    revenue: r
  - id: risk
    signal: inactivity
    voice_question: q
    revenue: r
  - id: gone
    signal: billing_churn
    voice_question: q
    revenue: r
signup:
  - event: Signed Up
activation: { event: Logged In, times: 3, distinct_days: true, within_days: 7 }
funnel: { name: f, steps: [Signed Up] }
segments:
  - id: all
    default: true
churn_risk: { inactive_days: 14 }
churned:
  entry: [{ event: customer.subscription.deleted }]
  reactivation: [{ event: customer.subscription.created }]
`;

function problems(text: string): string[] {
  try {
    parseJourneyMap(text, 'maps/test.yaml');
  } catch (err) {
    assert.ok(err instanceof JourneyMapError);
    return err.problems;
  }
  assert.fail('expected the map to be refused');
}

const edit = (from: string, to: string): string => {
  assert.ok(VALID.includes(from), from);
  return VALID.replace(from, to);
};

test('a minimal map is valid, with defaults filled in', () => {
  const map = parseJourneyMap(VALID, 'maps/test.yaml');
  assert.equal(map.version, 3);
  assert.deepEqual(map.stages[2]!.entry, []);
  assert.equal(map.churn_risk.exit_active_days, 1);
  assert.deepEqual(map.champion_roles, ['admin', 'owner']);
});

test('a missing conversion event: the item line, the full field path, "required"', () => {
  assert.deepEqual(problems(edit('      - event: Signed Up\n', '      - where: { plan: { eq: team } }\n')), [
    'maps/test.yaml:7: stages[0].conversion[0].event: required',
  ]);
});

test('wrong types, unknown fields and bad ids point at their own line', () => {
  const text = edit('lateness_minutes: 10', 'lateness_minutes: soon')
    .replace('  - id: c\n', '  - id: Bad Id\n    stall_dayz: 3\n')
    .replace('churn_risk: { inactive_days: 14 }', 'churn_risk: { inactive_days: -1 }');
  assert.deepEqual(problems(text), [
    'maps/test.yaml:3: lateness_minutes: expected number',
    'maps/test.yaml:15: stages[2].id: lower-case id (a-z, 0-9, -)',
    'maps/test.yaml:16: stages[2].stall_dayz: unknown field',
    'maps/test.yaml:34: churn_risk.inactive_days: Too small: expected number to be >0',
  ]);
});

test('a missing top-level block is reported at line 1', () => {
  assert.deepEqual(problems(edit('signup:\n  - event: Signed Up\n', '')), [
    'maps/test.yaml:1: signup: required',
  ]);
});

test('predicates need an operator; cross-field rules name the field', () => {
  const text = edit(
    '  - event: Signed Up\nactivation',
    '  - event: Signed Up\n    where: { plan: {} }\nactivation',
  ).replace('times: 3, distinct_days: true, within_days: 7', 'times: 9, distinct_days: true, within_days: 7');
  assert.deepEqual(problems(text), [
    'maps/test.yaml:28: signup[0].where.plan: at least one of eq, in, gte, lte, exists',
    'maps/test.yaml:29: activation.times: more distinct days than the window has',
  ]);
});

test('signal stages: exactly one of each, entered only by their signal', () => {
  const text = edit('    signal: billing_churn\n', '').replace(
    '    signal: inactivity\n',
    '    signal: inactivity\n    conversion: [{ event: X }]\n',
  );
  assert.deepEqual(problems(text), [
    'maps/test.yaml:4: stages: exactly one stage needs signal: billing_churn',
    'maps/test.yaml:20: stages[3].conversion: a signal stage is entered by its signal (see churn_risk / churned)',
  ]);
});

test('YAML syntax errors and duplicate keys carry the line', () => {
  assert.throws(() => parseJourneyMap('name: x\nstages: [\n', 'bad.yaml'), /bad\.yaml:\d+:/);
  assert.deepEqual(problems(edit('version: 3\n', 'version: 3\nversion: 4\n')).length, 1);
  assert.match(problems(edit('version: 3\n', 'version: 3\nversion: 4\n'))[0]!, /^maps\/test\.yaml:3: /);
});
