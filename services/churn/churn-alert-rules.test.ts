// The example Prometheus rules and Alertmanager routes are configuration that only fails in
// production, so check here what a YAML parser and the code can: shape, labels, metric names,
// band values, and that every rule reaches a receiver.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CHURN_BANDS } from './churn-bands.ts';
import { createMetrics } from '../shared/telemetry/metrics.ts';
import { createCollectorMetrics } from '../collector/collector-metrics.ts';

const read = (path: string): unknown =>
  parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'));

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface Route {
  receiver?: string;
  matchers?: string[];
  continue?: boolean;
  routes?: Route[];
}
interface AlertmanagerConfig {
  route: Route;
  receivers: { name: string }[];
  inhibit_rules: { source_matchers: string[]; target_matchers: string[] }[];
}

/** Metrics the pipeline exports (services/shared/telemetry/metrics.ts and the churn stage). */
// Every metric a rule may name: what the stages and the collector export (never a stale list).
const KNOWN_METRICS = [
  ...createMetrics(false).registry.getMetricsAsArray(),
  ...createCollectorMetrics(false).registry.getMetricsAsArray(),
].map((m) => m.name);
const MUST_HAVE_RULES = [
  'journey_churn_accounts',
  'journey_churn_alerts_total',
  'journey_consumer_lag',
  'journey_consumer_offsets_lost',
];

const rulesFile = read('deploy/prometheus/churn-alerts.rules.yml') as {
  groups: { name: string; rules: Rule[] }[];
};
const rules = rulesFile.groups.flatMap((g) => g.rules);
const alertmanager = read('deploy/alertmanager/alertmanager.yml') as AlertmanagerConfig;

/** `name="value"` and `name=~"a|b"` matchers, the subset these files use. */
function matches(matcher: string, labels: Record<string, string>): boolean {
  const m = /^(\w+)(=~|=)"(.*)"$/.exec(matcher);
  assert.ok(m, `unsupported matcher ${matcher}`);
  const [, name, op, value] = m;
  const actual = labels[name!] ?? '';
  return op === '=' ? actual === value : new RegExp(`^(?:${value})$`).test(actual);
}

/** The receivers an alert reaches, following Alertmanager's first-match-unless-continue walk. */
function receiversFor(route: Route, labels: Record<string, string>, inherited: string): string[] {
  const receiver = route.receiver ?? inherited;
  const out: string[] = [];
  for (const child of route.routes ?? []) {
    if (!(child.matchers ?? []).every((m) => matches(m, labels))) continue;
    out.push(...receiversFor(child, labels, receiver));
    if (!child.continue) return out;
  }
  return out.length > 0 ? out : [receiver];
}

describe('deploy/prometheus/churn-alerts.rules.yml', () => {
  it('has rules with expr, for, labels.severity and annotations.summary', () => {
    assert.ok(rules.length >= 6);
    for (const rule of rules) {
      assert.match(rule.alert, /^[A-Z][A-Za-z]+$/);
      assert.ok(typeof rule.expr === 'string' && rule.expr.trim().length > 0, `${rule.alert}: expr`);
      assert.match(rule.for, /^\d+[smhdw]$/, `${rule.alert}: for`);
      assert.ok(
        ['info', 'warning', 'critical'].includes(rule.labels.severity ?? ''),
        `${rule.alert}: severity`,
      );
      assert.ok(rule.labels.team, `${rule.alert}: team`);
      assert.ok(rule.annotations.summary, `${rule.alert}: annotations.summary`);
    }
    assert.equal(new Set(rules.map((r) => r.alert)).size, rules.length, 'alert names are unique');
  });

  it('uses only exported metrics and real band values', () => {
    for (const rule of rules) {
      for (const metric of rule.expr.match(/journey_[a-z_]+/g) ?? [])
        assert.ok(KNOWN_METRICS.includes(metric), `${rule.alert}: unknown metric ${metric}`);
      for (const [, band] of rule.expr.matchAll(/band="([^"]*)"/g))
        assert.ok((CHURN_BANDS as readonly string[]).includes(band!), `${rule.alert}: unknown band ${band}`);
    }
    const used = new Set(rules.flatMap((r) => r.expr.match(/journey_[a-z_]+/g) ?? []));
    for (const metric of MUST_HAVE_RULES) assert.ok(used.has(metric), `no rule on ${metric}`);
  });
});

describe('deploy/alertmanager/alertmanager.yml', () => {
  const receivers = new Set(alertmanager.receivers.map((r) => r.name));

  it('names only defined receivers', () => {
    const walk = (route: Route): void => {
      if (route.receiver) assert.ok(receivers.has(route.receiver), `undefined receiver ${route.receiver}`);
      route.routes?.forEach(walk);
    };
    walk(alertmanager.route);
  });

  it('routes every rule by team and severity', () => {
    const reached = (alert: string) =>
      receiversFor(alertmanager.route, rules.find((r) => r.alert === alert)!.labels, 'none');
    assert.deepEqual(reached('JourneyConsumerLagGrowing'), ['data-platform-pager', 'data-platform-slack']);
    assert.deepEqual(reached('JourneyConsumerLagHigh'), ['data-platform-slack']);
    assert.deepEqual(reached('ChurnAccountsAtRiskRising'), ['customer-success-slack']);
    assert.deepEqual(reached('ChurnAlertsFiring'), ['customer-success-digest']);
    for (const rule of rules) {
      const to = receiversFor(alertmanager.route, rule.labels, 'none');
      assert.ok(
        to.some((r) => r.startsWith(rule.labels.team!)),
        `${rule.alert} reaches ${to} only`,
      );
    }
  });

  it('inhibits customer-success alerts while the pipeline is broken, naming real alerts', () => {
    const names = new Set(rules.map((r) => r.alert));
    for (const inhibit of alertmanager.inhibit_rules) {
      const [source] = inhibit.source_matchers;
      const pattern = /^alertname=~"(.*)"$/.exec(source!)?.[1] ?? '';
      for (const name of pattern.split('|'))
        assert.ok(names.has(name), `inhibit names unknown alert ${name}`);
    }
    const storm = rules.find((r) => r.alert === 'ChurnAlertStorm')!;
    const cs = rules.find((r) => r.alert === 'ChurnAccountsAtRiskRising')!;
    const rule = alertmanager.inhibit_rules[0]!;
    assert.ok(rule.source_matchers.every((m) => matches(m, { alertname: storm.alert, ...storm.labels })));
    assert.ok(rule.target_matchers.every((m) => matches(m, cs.labels)));
  });
});
