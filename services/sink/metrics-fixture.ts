// A small, hand-checkable journey history for the metric tests: six accounts over Jan-Mar 2026
// with touches, sign-ups, logins, the onboarding funnel, features, billing, surveys, tickets, one
// late identity merge (p_anon -> p_1), stage transitions, snapshots, churn scores and alerts.
// Every table is built through the sink's row mappers, so the tests also check the mappers.
import { newJourneyEvent, noIdentifiers } from '../ingest/new-journey-event.ts';
import type { JourneyEvent, MrrChangeKind, ScoreKind } from '../shared/generated/avro-types.ts';
import type { IdentityOverrideRow } from './rows/identity-rows.ts';

export const t = (s: string): number => Date.parse(`${s.replace(' ', 'T')}Z`);

let seq = 0;
export function fixtureEvent(
  person: string,
  account: string | null,
  name: string,
  at: string,
  extra: Partial<JourneyEvent> = {},
): JourneyEvent {
  seq++;
  return {
    ...newJourneyEvent({
      source: 'behavior',
      type: 'track',
      name,
      event_time: t(at),
      received_time: t(at) + 1000,
      ids: { ...noIdentifiers(), user_id: person, account_id: account },
    }),
    event_id: `e${String(seq).padStart(4, '0')}`,
    person_id: person,
    account_id: account,
    ...extra,
  };
}

const page = (p: string, a: string, at: string, channel: string): JourneyEvent =>
  fixtureEvent(p, a, 'Pricing', at, { type: 'page', channel });
const feature = (p: string, a: string, at: string, f: string): JourneyEvent =>
  fixtureEvent(p, a, 'Feature Used', at, { properties_json: JSON.stringify({ feature: f }) });
const billing = (
  a: string,
  name: string,
  at: string,
  mrr: number,
  delta: number,
  kind: MrrChangeKind | null,
  extra: Partial<JourneyEvent> = {},
) =>
  fixtureEvent(`b_${a}`, a, name, at, {
    source: 'billing',
    type: 'subscription',
    properties_json: JSON.stringify({ subscription_id: `sub_${a}` }),
    mrr_cents: mrr,
    mrr_delta_cents: delta,
    mrr_change_kind: kind,
    ...extra,
  });
const survey = (
  p: string,
  a: string,
  at: string,
  kind: ScoreKind,
  score: number,
  stage: string | null,
  comment: string | null,
) =>
  fixtureEvent(p, a, `survey.${kind}`, at, {
    source: 'surveys',
    type: 'survey',
    score_kind: kind,
    score,
    survey_stage: stage,
    comment,
  });
const ticket = (
  p: string,
  a: string,
  name: string,
  at: string,
  id: string,
  extra: Partial<JourneyEvent> = {},
) => fixtureEvent(p, a, name, at, { source: 'tickets', type: 'ticket', ticket_id: id, ...extra });
const steps = (p: string, a: string, days: string[]): JourneyEvent[] =>
  ['Created Project', 'Invited Teammate', 'Connected Integration', 'Created Report']
    .slice(0, days.length)
    .map((name, i) => fixtureEvent(p, a, name, days[i]!));

export const FIXTURE_EVENTS: JourneyEvent[] = [
  // acc_1: enterprise; anonymous first touch merged later into p_1.
  page('p_anon', 'acc_1', '2026-01-05 09:00', 'paid_search'),
  page('p_1', 'acc_1', '2026-01-06 09:00', 'email'),
  fixtureEvent('p_1', 'acc_1', 'Signed Up', '2026-01-07 10:00'),
  ...['2026-01-07 11:00', '2026-01-09 09:00', '2026-01-12 09:00'].map((d) =>
    fixtureEvent('p_1', 'acc_1', 'Logged In', d),
  ),
  ...steps('p_1', 'acc_1', ['2026-01-08 10:00', '2026-01-09 10:00', '2026-01-10 10:00', '2026-01-11 10:00']),
  feature('p_1', 'acc_1', '2026-01-13 10:00', 'reports'),
  feature('p_2', 'acc_1', '2026-01-20 10:00', 'dashboards'),
  fixtureEvent('p_2', 'acc_1', 'Logged In', '2026-01-20 09:00'),
  billing('acc_1', 'customer.subscription.created', '2026-01-15 00:00', 10000, 10000, 'new'),
  billing('acc_1', 'customer.subscription.updated', '2026-02-20 00:00', 15000, 5000, 'expansion'),
  survey('p_1', 'acc_1', '2026-02-01 12:00', 'nps', 9, null, 'Great reports'),
  ticket('p_1', 'acc_1', 'ticket.created', '2026-01-20 12:00', 'T1'),
  ticket('p_1', 'acc_1', 'ticket.created', '2026-02-05 12:00', 'T2'),
  ticket('p_1', 'acc_1', 'ticket.created', '2026-02-05 12:05', 'T2'),
  ticket('p_1', 'acc_1', 'ticket.updated', '2026-02-06 12:00', 'T2'),
  // acc_2: smb; activates on day 14; cancels.
  page('p_3', 'acc_2', '2026-01-06 08:00', 'organic_search'),
  fixtureEvent('p_3', 'acc_2', 'Signed Up', '2026-01-08 08:30'),
  ...['2026-01-08 09:00', '2026-01-20 09:00', '2026-01-21 09:00', '2026-01-22 09:00'].map((d) =>
    fixtureEvent('p_3', 'acc_2', 'Logged In', d),
  ),
  ...steps('p_3', 'acc_2', ['2026-01-09 09:00']),
  feature('p_3', 'acc_2', '2026-01-23 09:00', 'reports'),
  billing('acc_2', 'customer.subscription.created', '2026-02-01 00:00', 5000, 5000, 'new'),
  billing('acc_2', 'customer.subscription.deleted', '2026-03-10 00:00', 0, -5000, 'churn', {
    cancel_reason: 'Too expensive for our team',
  }),
  survey('p_3', 'acc_2', '2026-02-25 12:00', 'nps', 3, null, null),
  ticket('p_3', 'acc_2', 'ticket.created', '2026-03-05 12:00', 'T3', {
    ticket_category: 'cancellation',
    comment: 'We want to cancel, the price went up',
  }),
  // acc_3: mid-market; first touch paid search, last touch before sign-up email.
  page('p_4', 'acc_3', '2026-01-13 08:00', 'paid_search'),
  page('p_4', 'acc_3', '2026-01-14 08:00', 'email'),
  fixtureEvent('p_4', 'acc_3', 'Signed Up', '2026-01-14 09:00'),
  page('p_4', 'acc_3', '2026-01-15 08:00', 'social'),
  ...['2026-01-14 10:00', '2026-01-15 10:00', '2026-01-16 10:00'].map((d) =>
    fixtureEvent('p_4', 'acc_3', 'Logged In', d),
  ),
  ...steps('p_4', 'acc_3', ['2026-01-14 11:00', '2026-01-15 11:00']),
  feature('p_4', 'acc_3', '2026-01-16 11:00', 'dashboards'),
  feature('p_4', 'acc_3', '2026-01-17 11:00', 'api'),
  billing('acc_3', 'customer.subscription.created', '2026-01-20 00:00', 8000, 8000, 'new'),
  billing('acc_3', 'customer.subscription.updated', '2026-03-01 00:00', 6000, -2000, 'contraction'),
  survey('p_4', 'acc_3', '2026-01-20 12:00', 'csat', 5, null, null),
  survey('p_4', 'acc_3', '2026-02-10 12:00', 'csat', 2, null, 'Slow exports'),
  // acc_4: smb; one social touch, never signs up.
  page('p_5', 'acc_4', '2026-02-02 08:00', 'social'),
  ticket('p_5', 'acc_4', 'ticket.created', '2026-02-02 09:00', 'T4'),
  // acc_5: enterprise; demo request, signs up, two login days only.
  page('p_6', 'acc_5', '2026-02-03 08:00', 'referral'),
  fixtureEvent('p_6', 'acc_5', 'Demo Requested', '2026-02-03 12:00'),
  fixtureEvent('p_6', 'acc_5', 'Signed Up', '2026-02-04 08:00'),
  ...['2026-02-04 09:00', '2026-02-05 09:00'].map((d) => fixtureEvent('p_6', 'acc_5', 'Logged In', d)),
  billing('acc_5', 'customer.subscription.created', '2026-02-10 00:00', 30000, 30000, 'new'),
  survey('p_6', 'acc_5', '2026-02-05 12:00', 'nps', 10, null, null),
  // acc_6: mid-market; the whole funnel, then inactive.
  page('p_7', 'acc_6', '2026-01-02 08:00', 'email'),
  fixtureEvent('p_7', 'acc_6', 'Signed Up', '2026-01-03 08:00'),
  ...['2026-01-03 09:00', '2026-01-04 09:00', '2026-01-05 09:00'].map((d) =>
    fixtureEvent('p_7', 'acc_6', 'Logged In', d),
  ),
  ...steps('p_7', 'acc_6', ['2026-01-03 10:00', '2026-01-03 11:00', '2026-01-04 10:00', '2026-01-05 10:00']),
  billing('acc_6', 'customer.subscription.created', '2026-01-05 00:00', 12000, 12000, 'new'),
  survey('p_7', 'acc_6', '2026-03-02 12:00', 'csat', 2, 'churn-risk', 'Hard to onboard new teammates'),
  // acc_7: billed through several subscriptions (issue #16): a second one is an expansion, ending
  // one of two a contraction, ending the last a churn; a trial (MRR 0) changes nothing, its
  // conversion is a reactivation. The events' own kinds are the subscriptions'.
  ...(
    [
      ['customer.subscription.created', '2026-01-10 00:00', 'a', 5000, 5000, 'new'],
      ['customer.subscription.created', '2026-01-25 00:00', 'b', 3000, 3000, 'new'],
      ['customer.subscription.deleted', '2026-02-15 00:00', 'a', 0, -5000, 'churn'],
      ['customer.subscription.deleted', '2026-03-05 00:00', 'b', 0, -3000, 'churn'],
      ['customer.subscription.created', '2026-03-10 00:00', 'c', 0, 0, null],
      ['customer.subscription.updated', '2026-03-20 00:00', 'c', 7000, 7000, 'new'],
    ] as const
  ).map(([name, at, id, mrr, delta, kind]) =>
    billing('acc_7', name, at, mrr, delta, kind, {
      properties_json: JSON.stringify({ subscription_id: `sub_acc_7${id}` }),
    }),
  ),
];

export const FIXTURE_OVERRIDES: IdentityOverrideRow[] = [
  { old_person_id: 'p_anon', person_id: 'p_1', version: 1, is_deleted: 0 },
];
