// On a generated workload through the ingest's core (not random histories: real sessions, sign-ups,
// group calls, billing and tickets), the identity graph built from the link facts alone equals the
// graph built from every event, and the filter leaves most events out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureLinkFacts } from './measure-link-facts.ts';

test('tiny workload: the graph from the admitted link facts equals the graph from every event', async () => {
  const r = await measureLinkFacts('tiny');
  assert.ok(r.events > 1000, `${r.events} events`);
  assert.equal(r.sameGraph, true, 'the resolver builds the graph the journey builds');
  assert.equal(r.sameTable, true, 'the table rebuilds that graph');
  assert.ok(
    r.persons > 50 && r.identifiers > r.persons,
    `${r.persons} persons, ${r.identifiers} identifiers`,
  );
  assert.ok(r.share < 0.5, `${(r.share * 100).toFixed(1)} % admitted`);
  assert.ok(r.renewed > 0 && r.singletons > 0);
});
