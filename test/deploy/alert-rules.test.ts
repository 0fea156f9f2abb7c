// Every alert rule in deploy/prometheus/churn-alerts.rules.yml carries a runbook_url into
// docs/operations.md ("Alerts and what to do"), and that anchor exists there: an operator paged at
// night lands on the row that says what the alert means and what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRepoFile, readYaml } from './deploy-support.ts';

interface Rule {
  alert: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const RULES_PATH = 'deploy/prometheus/churn-alerts.rules.yml';
const rules = readYaml<{ groups: Array<{ rules: Rule[] }> }>(RULES_PATH).groups.flatMap((g) => g.rules);
const operations = readRepoFile('docs/operations.md');

/** The ids of `<a id="…">` anchors and the GitHub slugs of the headings in a Markdown file. */
export function anchorsIn(markdown: string): Set<string> {
  const ids = [...markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"\s*>/g)].map((m) => m[1]!);
  const slugs = [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
    m[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-'),
  );
  return new Set([...ids, ...slugs]);
}

/** What is wrong with a rule's runbook_url, given the anchors of docs/operations.md. */
export function runbookProblem(rule: Rule, anchors: Set<string>): string | undefined {
  const url = rule.annotations?.runbook_url;
  if (!url) return `${rule.alert}: no annotations.runbook_url`;
  const m = /^docs\/operations\.md#(.+)$/.exec(url);
  if (!m) return `${rule.alert}: runbook_url ${url} does not point into docs/operations.md`;
  if (!anchors.has(m[1]!)) return `${rule.alert}: anchor #${m[1]} is missing from docs/operations.md`;
  return undefined;
}

test('every alert rule has a runbook_url whose anchor exists in docs/operations.md', () => {
  const anchors = anchorsIn(operations);
  assert.ok(rules.length > 0);
  for (const rule of rules) {
    assert.equal(runbookProblem(rule, anchors), undefined);
    // Its own anchor, on the row of the alerts table that names it.
    assert.equal(rule.annotations!.runbook_url, `docs/operations.md#alert-${rule.alert.toLowerCase()}`);
    const row = operations
      .split('\n')
      .find((l) => l.includes(`<a id="alert-${rule.alert.toLowerCase()}"></a>`));
    assert.ok(
      row?.startsWith('|') && row.includes(`\`${rule.alert}\``),
      `${rule.alert}: its row in the table`,
    );
  }
});

test('the check catches a missing runbook_url, a foreign URL and a missing anchor', () => {
  const anchors = anchorsIn('## Alerts and what to do\n| <a id="alert-x"></a>`X` |\n');
  assert.ok(anchors.has('alerts-and-what-to-do') && anchors.has('alert-x'));
  assert.equal(
    runbookProblem({ alert: 'X', annotations: { runbook_url: 'docs/operations.md#alert-x' } }, anchors),
    undefined,
  );
  assert.match(runbookProblem({ alert: 'X', annotations: {} }, anchors)!, /no annotations\.runbook_url/);
  assert.match(
    runbookProblem({ alert: 'X', annotations: { runbook_url: 'https://example.com/x' } }, anchors)!,
    /does not point/,
  );
  assert.match(
    runbookProblem({ alert: 'Y', annotations: { runbook_url: 'docs/operations.md#alert-y' } }, anchors)!,
    /missing/,
  );
});

test('dead letters page only on the ratio; the per-reason alert is informational', () => {
  const byName = new Map(rules.map((r) => [r.alert, r]));
  assert.equal(byName.get('JourneyDeadLetterRatioHigh')?.labels?.severity, 'critical');
  assert.equal(byName.get('JourneyDeadLettersArriving')?.labels?.severity, 'info');
  for (const name of ['JourneyStageDown', 'CollectorKafkaUnavailable', 'CollectorSignatureFailures'])
    assert.ok(byName.has(name), name);
});
