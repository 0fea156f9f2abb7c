// A billing, ticket or survey event re-scores its account once every input has reached the
// event's time (rescore-account.ts). The sources are separate topics, so the same days can reach the
// journey billing first: a failed payment read before the logins around it. The alert must be the
// one the events in time order give — same time, same reasons — and a restart while a re-score
// waits must not lose it or change it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChurnAlert } from '../churn/churn-alert-state.ts';
import { createIdentityGraph } from '../identity/identity-core.ts';
import { noIdentifiers } from '../ingest/new-journey-event.ts';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { ConsumedMessage } from '../shared/kafka/batch-consumer.ts';
import { applyJourneyChangelog, createAccountStore, putState } from './account-store.ts';
import { emptyStepOutput } from './apply-journey-step.ts';
import { rescoresDue } from './rescore-account.ts';
import { DEFAULT_CHURN_CONFIG } from '../churn/churn-config.ts';
import type { AccountStore } from './account-store.ts';
import type { JourneyStageState } from './journey-pipeline.ts';
import { T0, b2b, billing, ev, run } from '../../test/support/journey-test-events.ts';
import { replayBatches } from '../../test/support/journey-test-topology.ts';
import { canonicalMessages } from '../../test/support/partitioned-reference.ts';
import type { Input } from '../../test/support/partitioned-reference.ts';

const INPUTS = { behavior: 1, billing: 1, tickets: 1 };

const ids = (account: string) => ({
  ids: { ...noIdentifiers(), user_id: `u-${account}`, account_id: account },
  person_id: null,
  account_id: null,
});

/** The admin signs up and logs in every day for 45 days. */
function behavior(account: string): JourneyEvent[] {
  const events = [ev('Signed Up', 0.01, { ...ids(account), event_id: `${account}-signup` })];
  for (let day = 0; day <= 44; day++)
    events.push(ev('Logged In', day + 0.1, { ...ids(account), event_id: `${account}-login-${day}` }));
  return events;
}

/** A paid subscription from day 0.5, and (`failing`) two failed invoice payments a week apart. */
function payments(account: string, failing: boolean): JourneyEvent[] {
  const billed = (name: string, day: number, extra: Partial<JourneyEvent> = {}) =>
    billing(name, day, {
      ...ids(account),
      ids: { ...noIdentifiers(), account_id: account },
      event_id: `${account}-${name}-${day}`,
      ...extra,
    });
  return [
    billed('customer.subscription.created', 0.5, {
      plan: 'team',
      seats: 1,
      mrr_cents: 4900,
      mrr_change_kind: 'new',
    }),
    ...(failing ? [billed('invoice.payment_failed', 32), billed('invoice.payment_failed', 39)] : []),
  ];
}

/** Eight urgent tickets, one a day from day 30. */
const urgentTickets = (account: string): JourneyEvent[] =>
  [...Array(8).keys()].map((i) =>
    ev('ticket.created', 30 + i + 0.3, {
      ...ids(account),
      source: 'tickets',
      type: 'ticket',
      ticket_priority: 'urgent',
      event_id: `${account}-ticket-${i}`,
    }),
  );

const byTime = (events: JourneyEvent[]): JourneyEvent[] => events.sort((a, b) => a.event_time - b.event_time);

const RAW: Readonly<Record<string, JourneyEvent[]>> = {
  'behavior/0': byTime([...behavior('acc_pay'), ...behavior('acc_tix')]),
  'billing/0': byTime([...payments('acc_pay', true), ...payments('acc_tix', false)]),
  'tickets/0': urgentTickets('acc_tix'),
};

/** A raw partition's batch; `idle`: its marker announces it idle (drained, or quiet for
 *  INGEST_IDLE_SECONDS), so it holds nobody back. */
type Chunk = { source: string; events: JourneyEvent[]; idle?: boolean };

/** What the ingest writes to the canonical partition: each chunk's events, then (with markers)
 *  its raw partition's progress, listing every raw topic it reads. */
function canonicalStream(chunks: readonly Chunk[], markers: boolean): ConsumedMessage[] {
  const inputs: Input[] = [];
  const marker = (source: string, eventTime: number | null, idle: boolean) =>
    inputs.push({ kind: 'marker', marker: { source, eventTime, idle, inputs: INPUTS } });
  // As the ingest starts: each raw partition announced before any event (ingest-service.ts).
  if (markers) for (const source of Object.keys(RAW)) marker(source, null, false);
  const latest = new Map<string, number>();
  for (const { source, events, idle = false } of chunks) {
    for (const event of events) {
      inputs.push({ kind: 'event', event });
      latest.set(source, Math.max(latest.get(source) ?? -Infinity, event.event_time));
    }
    if (markers && (events.length > 0 || idle)) marker(source, latest.get(source) ?? null, idle);
  }
  return canonicalMessages(inputs);
}

const dayAt = (day: number): number => T0 + day * 86_400_000;
const ofDays = (source: string, from: number, to: number): JourneyEvent[] =>
  RAW[source]!.filter((e) => e.event_time >= dayAt(from) && e.event_time < dayAt(to));

/** A day at a time, each source's events of the day then its marker, a source with none that day
 *  announced idle: the order they happened in, as a pipeline keeping up reads them. */
function inOrder(from = 0, to = 46): Chunk[] {
  const chunks: Chunk[] = [];
  for (let day = from; day < to; day++) {
    const first = (c: Chunk) => c.events[0]?.event_time ?? -Infinity;
    const sources = Object.keys(RAW).map((source) => {
      const events = ofDays(source, day, day + 1);
      return { source, events, idle: events.length === 0 };
    });
    chunks.push(...sources.sort((a, b) => first(a) - first(b)));
  }
  return chunks;
}

/** Each source's whole history, one after the other, behavior last: one fetch of a backlog. */
const billingFirst = (): Chunk[] =>
  ['billing/0', 'tickets/0', 'behavior/0'].map((source) => ({ source, events: RAW[source]!, idle: true }));

const newStage = (): JourneyStageState => {
  const accounts: AccountStore = createAccountStore();
  accounts.inputPartitions = [0];
  return { graph: createIdentityGraph(), accounts };
};

function replay(stream: readonly ConsumedMessage[], state = newStage()) {
  const alerts: ChurnAlert[] = [];
  const journeyChangelog: Array<{ key: string; value: string | null }> = [];
  replayBatches(stream, 7, state, (result, topology) => {
    alerts.push(...result.outputs.alerts);
    for (const m of result.changelog)
      if (m.topic === topology.journeyChangelogTopic)
        journeyChangelog.push({ key: String(m.key), value: m.value === null ? null : String(m.value) });
  });
  // One account's alerts keep their order; across accounts the order is the batch's.
  alerts.sort((a, b) => a.account.localeCompare(b.account));
  return { alerts, state, journeyChangelog };
}

const paymentReason = (alerts: readonly ChurnAlert[]) =>
  alerts.flatMap((a) => a.reasons.filter((r) => r.factor === 'payment_failures').map((r) => r.text));

const ticketAlerts = (alerts: readonly ChurnAlert[]) =>
  alerts.filter((a) => a.reasons.some((r) => r.factor === 'urgent_tickets'));

test('failed payments and tickets read before the same days logins alert as the events in time order do', () => {
  const ordered = replay(canonicalStream(inOrder(), true));
  assert.equal(ordered.alerts.length, 2, JSON.stringify(ordered.alerts));
  assert.deepEqual(paymentReason(ordered.alerts), ['2 failed payments in 30 days (+48 pts)']);
  const paid = ordered.alerts.find((a) => paymentReason([a]).length > 0)!;
  assert.ok(paid.at >= dayAt(39) && paid.at < dayAt(40), 'at the second failed payment');
  const [crossed] = ticketAlerts(ordered.alerts);
  assert.ok(
    RAW['tickets/0']!.some((e) => e.event_time === crossed?.at),
    'as of the ticket that crossed the band',
  );

  const backlog = replay(canonicalStream(billingFirst(), true));
  assert.deepEqual(backlog.alerts, ordered.alerts);
  assert.equal(backlog.state.accounts.rescoresWaiting.size, 0, 'nothing left waiting');
});

test('tickets read in one batch or one by one cross the band at the same ticket', () => {
  const oneByOne = replay(canonicalStream(inOrder(), true));
  // Everything to day 30 in time order, then the eight tickets together, then the rest.
  const together = inOrder(0, 30);
  together.push({ source: 'tickets/0', events: RAW['tickets/0']!, idle: true });
  for (const source of ['behavior/0', 'billing/0'])
    together.push({ source, events: ofDays(source, 30, 46), idle: true });
  const batched = replay(canonicalStream(together, true));
  assert.deepEqual(ticketAlerts(batched.alerts), ticketAlerts(oneByOne.alerts));
});

test('without markers the billing-first backlog alerts on a partial picture: what the wait prevents', () => {
  const ordered = replay(canonicalStream(inOrder(), false));
  const backlog = replay(canonicalStream(billingFirst(), false));
  assert.match(paymentReason(ordered.alerts).join(), /^2 failed payments in 30 days/);
  assert.notDeepEqual(
    backlog.alerts.map((a) => [a.at, a.reasons.map((r) => r.factor)]),
    ordered.alerts.map((a) => [a.at, a.reasons.map((r) => r.factor)]),
    'read before the logins, the account looks silent when its payments fail',
  );
});

test('a re-score waiting across a restart from the changelog still runs, with the same alert', () => {
  const stream = canonicalStream(billingFirst(), true);
  const whole = replay(stream);
  // Stop right after the billing history and its marker: the re-score waits for behavior.
  const cut = stream.findLastIndex((m, i) => i < 10 && m.headers.journey_watermark !== undefined) + 1;
  const before = replay(stream.slice(0, cut));
  assert.equal(before.alerts.length, 0);
  assert.ok(before.state.accounts.rescoresWaiting.size > 0, 'waiting before the restart');
  const restored = newStage();
  restored.graph = before.state.graph;
  for (const { key, value } of before.journeyChangelog) applyJourneyChangelog(restored.accounts, key, value);
  assert.deepEqual(
    [...restored.accounts.rescoresWaiting],
    [...before.state.accounts.rescoresWaiting],
    'the index is rebuilt on restore',
  );
  const after = replay(stream.slice(cut), restored);
  assert.deepEqual(after.alerts, whole.alerts);
});

test('each waiting re-score runs at the first marker that reaches it, and not before', () => {
  const store = createAccountStore();
  const customer = (key: string, due: number) => ({
    ...run([ev('Signed Up', 0), billing('customer.subscription.created', 1, { mrr_cents: 4900 })]).state,
    key,
    rescoresDue: [due],
  });
  putState(store, customer('acc_a', dayAt(10)));
  putState(store, customer('acc_b', dayAt(20)));
  const out = emptyStepOutput();
  const ctx = { map: b2b, churn: DEFAULT_CHURN_CONFIG };
  const scored = () => out.scores.map((s) => [s.score.account, s.score.scoredAt]);
  rescoresDue(store, dayAt(5), ctx, out);
  assert.deepEqual(scored(), []);
  rescoresDue(store, dayAt(15), ctx, out);
  assert.deepEqual(scored(), [['acc_a', dayAt(10)]]);
  rescoresDue(store, dayAt(25), ctx, out);
  assert.deepEqual(scored(), [
    ['acc_a', dayAt(10)],
    ['acc_b', dayAt(20)],
  ]);
  assert.equal(store.rescoresWaiting.size, 0);
});
