import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEFAULT_CHURN_CONFIG } from './churn-config.ts';
import { loadChurnConfig, parseChurnConfig } from './churn-config-file.ts';

const CONFIG_PATH = new URL('../../config/churn.yaml', import.meta.url).pathname;

describe('churn config file', () => {
  it('config/churn.yaml holds exactly the defaults', () => {
    assert.deepEqual(loadChurnConfig(CONFIG_PATH), { ok: true, config: DEFAULT_CHURN_CONFIG });
  });

  it('reports every shape problem with its YAML path', () => {
    const text = readFileSync(CONFIG_PATH, 'utf8')
      .replace('usage_decline: 3', 'usage_decline: lots')
      .replace('cooldown_hours: 72', 'cooldown_hours: -1')
      .replace('min_points: 1', 'min_points: 1\n  colour: red');
    const result = parseChurnConfig(text);
    assert.equal(result.ok, false);
    const problems = result.ok ? [] : result.problems;
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(
      problems.join('\n'),
      /model\.weights\.usage_decline.*\n.*alerts\.cooldown_hours.*\n.*reasons.*colour/,
    );
  });

  it('reports every relation problem: exits above enters, overlapping bands', () => {
    const text = readFileSync(CONFIG_PATH, 'utf8')
      .replace('watch: { enter: 40, exit: 30 }', 'watch: { enter: 40, exit: 45 }')
      .replace('at_risk: { enter: 70, exit: 60 }', 'at_risk: { enter: 35, exit: 20 }');
    const result = parseChurnConfig(text);
    assert.deepEqual(result.ok ? [] : result.problems, [
      'bands.watch.exit must be below bands.watch.enter',
      'bands.watch.enter must be below bands.at_risk.enter',
      'bands.watch.exit must be below bands.at_risk.exit',
    ]);
  });

  it('reports unreadable files and invalid YAML without throwing', () => {
    const missing = loadChurnConfig('/nonexistent/churn.yaml');
    assert.match(missing.ok ? '' : missing.problems[0]!, /cannot read \/nonexistent\/churn.yaml/);
    const bad = parseChurnConfig('model: [');
    assert.match(bad.ok ? '' : bad.problems[0]!, /not valid YAML/);
  });
});
