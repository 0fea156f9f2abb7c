// Compact state: a busy account stays <= 4 KB serialised (SPEC §7) and round-trips exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import { MAX_FEATURES, MAX_MEMBERS, MAX_RECENT, MAX_WEEKS } from './account-state.ts';
import { at, billing, ev, run } from '../../test/support/journey-test-events.ts';
import { MAX_STATE_BYTES, StateFormatError, deserializeState, serializeState } from './serialize-state.ts';

/** A year of a busy 80-person enterprise account: every bounded collection at its cap, names of
 * realistic length, a churn alert state. */
function busyAccount(): JourneyEvent[] {
  const events: JourneyEvent[] = [
    ev('Page Viewed', 0, {
      channel: 'paid_search',
      utm: {
        source: 'google',
        medium: 'cpc',
        campaign: 'brand-emea-q1-2026',
        term: 'journey analytics',
        content: null,
      },
    }),
    ev('Signed Up', 0.1),
    ev('group', 0, {
      type: 'group',
      traits_json: JSON.stringify({
        employees: 1200,
        industry: 'Financial Services',
        name: 'Acme International Holdings',
      }),
    }),
  ];
  for (let d = 0; d < 365; d++) {
    const person = `p_${(d * 7919) % 80}`.padEnd(26, '0');
    events.push(ev('Logged In', d + 0.01, { person_id: person }));
    events.push(
      ev('Feature Used', d + 0.02, {
        person_id: person,
        properties_json: JSON.stringify({
          feature: `${['report', 'dashboard', 'alert-rule', 'integration'][d % 4]}-${d % 60}`,
        }),
      }),
    );
    for (const step of ['Created Project', 'Invited Teammate', 'Connected Integration', 'Created Report'])
      events.push(ev(step, d + 0.03));
    if (d % 3 === 0)
      events.push(
        ev('ticket.created', d + 0.04, {
          source: 'tickets',
          type: 'ticket',
          ticket_priority: d % 2 ? 'urgent' : 'low',
        }),
      );
    if (d % 7 === 0)
      events.push(ev('survey.nps', d + 0.05, { source: 'surveys', score_kind: 'nps', score: d % 11 }));
    if (d % 10 === 0)
      events.push(
        ev('Page Viewed', d + 0.06, { experiment_id: `onboarding-v${d}`, experiment_variant: 'treatment' }),
      );
    if (d % 30 === 0) {
      events.push(billing('invoice.paid', d + 0.07, { mrr_cents: 1_000_000 + d, amount_cents: 1_000_000 }));
      events.push(billing('invoice.payment_failed', d + 0.08));
      events.push(
        billing('customer.subscription.updated', d + 0.09, {
          mrr_change_kind: 'contraction',
          plan: 'enterprise-annual-2026',
          seats: 250,
          cancel_reason: 'x'.repeat(120),
        }),
      );
    }
  }
  return events;
}

test('a busy account serialises under 4 KB', () => {
  const { state: reduced } = run(busyAccount(), { until: at(365) });
  const state = {
    ...reduced,
    churn: {
      account: reduced.key,
      band: 'watch' as const,
      score: 47.25,
      scoredAt: at(365),
      bandSince: at(300),
      firstWarningAt: at(300),
      lastAlertAt: { watch: at(300), at_risk: null },
    },
  };
  const bytes = Buffer.byteLength(serializeState(state));
  assert.ok(bytes <= MAX_STATE_BYTES, `serialised state is ${bytes} bytes`);
  assert.equal(Object.keys(state.members).length, MAX_MEMBERS, 'members at their cap');
  assert.equal(state.weeks.length, MAX_WEEKS, 'weeks at their cap');
  assert.equal(state.features.length, MAX_FEATURES, 'features at their cap');
  assert.equal(state.ticketTimes.length, MAX_RECENT, 'recent tickets at their cap');
});

test('serialise -> deserialise is exact, and an unknown format is refused', () => {
  const { state } = run(busyAccount().slice(0, 300));
  assert.deepEqual(deserializeState(serializeState(state)), state);
  assert.throws(() => deserializeState(JSON.stringify(state)), StateFormatError);
  assert.throws(() => deserializeState(JSON.stringify(['0000000', 1, 2])), StateFormatError);
});
