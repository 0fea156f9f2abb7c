import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { StepResult } from '../shared/results.ts';
import { decodeMessageStep } from './decode-message-step.ts';
import { inputAvroType, loadFixture, TEST_CONFIG, toAvroMessage } from './fixtures/load-fixture.ts';
import type { IngestConfig, NormalisedEvent } from './ingest-config.ts';
import { normaliseBillingStep } from './normalise-billing-step.ts';

function metaFor(fixture: Record<string, unknown>) {
  return { receivedTime: Number(fixture['created']) * 1000 + 2000 };
}

function okEvent(result: StepResult<NormalisedEvent>): JourneyEvent {
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  return (result as { kind: 'ok'; value: NormalisedEvent }).value.event;
}

describe('normaliseBillingStep: Stripe events', () => {
  const cases: Array<[string, Partial<JourneyEvent>, Record<string, unknown>]> = [
    [
      'stripe-customer-created.json',
      { type: 'customer', name: 'customer.created', mrr_cents: null, event_time: 1712224700000 },
      {
        billing_customer_id: 'cus_Na6dX7aXxi11N4',
        account_id: 'acct_81723',
        user_id: 'user_5521',
        crm_id: '0015g00000XyZ1aAAF',
      },
    ],
    [
      'stripe-customer-subscription-created.json',
      // 25 seats x $25.00 per month
      {
        type: 'subscription',
        plan: 'team_monthly',
        seats: 25,
        currency: 'usd',
        mrr_cents: 62500,
        mrr_delta_cents: 62500,
        mrr_change_kind: 'new',
      },
      { billing_customer_id: 'cus_Na6dX7aXxi11N4', account_id: 'acct_81723', crm_id: '0015g00000XyZ1aAAF' },
    ],
    [
      'stripe-customer-subscription-updated.json',
      // 25 -> 40 seats: previous_attributes.items/quantity give the MRR before
      {
        seats: 40,
        mrr_cents: 100000,
        mrr_delta_cents: 37500,
        mrr_change_kind: 'expansion',
        cancel_reason: null,
      },
      { billing_customer_id: 'cus_Na6dX7aXxi11N4' },
    ],
    [
      'stripe-customer-subscription-deleted.json',
      {
        mrr_cents: 0,
        mrr_delta_cents: -100000,
        mrr_change_kind: 'churn',
        cancel_reason: 'We moved reporting to our data warehouse, the dashboards were too slow for us.',
      },
      { billing_customer_id: 'cus_Na6dX7aXxi11N4' },
    ],
    [
      'stripe-invoice-payment-failed.json',
      {
        type: 'invoice',
        name: 'invoice.payment_failed',
        amount_cents: 100000,
        currency: 'usd',
        mrr_cents: null,
      },
      { billing_customer_id: 'cus_Na6dX7aXxi11N4', email: null },
    ],
    ['stripe-invoice-paid.json', { name: 'invoice.paid', amount_cents: 100000 }, {}],
  ];
  for (const [name, expected, ids] of cases) {
    it(`${name} -> canonical event`, () => {
      const fixture = loadFixture(name);
      const event = okEvent(normaliseBillingStep(fixture, metaFor(fixture), TEST_CONFIG));
      assert.equal(event.event_id, `billing:${String(fixture['id'])}`);
      assert.equal(event.event_time, Number(fixture['created']) * 1000);
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(event[k as keyof JourneyEvent], v, k);
      for (const [k, v] of Object.entries(ids))
        assert.deepEqual(event.ids[k as keyof JourneyEvent['ids']], v, `ids.${k}`);
      assert.doesNotMatch(JSON.stringify(event), /@/);
    });

    it(`${name}: Avro and JSON give the same event`, async () => {
      const fixture = loadFixture(name);
      const type = inputAvroType('billing');
      const decoded = await decodeMessageStep(
        toAvroMessage('billing', fixture, 3),
        async () => type,
        TEST_CONFIG.limits,
      );
      const payload = (decoded as { kind: 'ok'; value: { payload: unknown } }).value.payload;
      assert.deepEqual(
        okEvent(normaliseBillingStep(payload, metaFor(fixture), TEST_CONFIG)),
        okEvent(normaliseBillingStep(fixture, metaFor(fixture), TEST_CONFIG)),
      );
    });
  }

  it('invoice.payment_failed keeps attempt_count and billing reason in properties', () => {
    const fixture = loadFixture('stripe-invoice-payment-failed.json');
    const props = JSON.parse(
      okEvent(normaliseBillingStep(fixture, metaFor(fixture), TEST_CONFIG)).properties_json,
    );
    assert.equal(props.attempt_count, 2);
    assert.equal(props.billing_reason, 'subscription_cycle');
    assert.equal(props.subscription_id, 'sub_1MowQVLkdIwHu7ixeRlqHVzs');
  });

  it('the invoice email is pseudonymised like any other', () => {
    const fixture = loadFixture('stripe-invoice-paid.json');
    const event = okEvent(normaliseBillingStep(fixture, metaFor(fixture), TEST_CONFIG));
    assert.match(event.ids.email_hash ?? '', /^[0-9a-f]{64}$/);
  });

  function updatedWith(object: Record<string, unknown>, previous: Record<string, unknown>) {
    const fixture = loadFixture('stripe-customer-subscription-updated.json') as {
      data: { object: Record<string, unknown> };
    };
    return {
      ...fixture,
      data: { object: { ...fixture.data.object, ...object }, previous_attributes: previous },
    };
  }

  it('trialing -> active is new MRR; canceled/paused -> active is a reactivation; active -> past_due is no change', () => {
    const kinds = [
      updatedWith({ status: 'active' }, { status: 'trialing' }),
      updatedWith({ status: 'active' }, { status: 'paused' }),
      updatedWith({ status: 'past_due' }, { status: 'active' }),
      updatedWith({ status: 'paused' }, { status: 'active' }),
    ].map((f) => {
      const e = okEvent(normaliseBillingStep(f, metaFor(f), TEST_CONFIG));
      return [e.mrr_change_kind, e.mrr_delta_cents];
    });
    assert.deepEqual(kinds, [
      ['new', 100000],
      ['reactivation', 100000],
      [null, 0],
      ['churn', -100000],
    ]);
  });

  it('partial previous_attributes (#15): an item with only its changed quantity, or only the top-level quantity, is priced from the current item', () => {
    const moves = [
      // items.data[] entries with the id and the old quantity, no price: Stripe sends what changed.
      updatedWith({}, { items: { data: [{ id: 'si_Na6dzxczY5fwHx', quantity: 25 }] } }),
      // an item the current subscription no longer has keeps its own price
      updatedWith(
        {},
        {
          items: {
            data: [
              {
                id: 'si_gone',
                quantity: 10,
                price: { id: 'p', unit_amount: 1000, recurring: { interval: 'month' } },
              },
            ],
          },
        },
      ),
    ].map((f) => {
      const result = normaliseBillingStep(f, metaFor(f), TEST_CONFIG);
      const e = okEvent(result);
      return [e.mrr_cents, e.mrr_delta_cents, e.mrr_change_kind];
    });
    assert.deepEqual(moves, [
      [100000, 37500, 'expansion'], // 25 -> 40 seats at $25
      [100000, 90000, 'expansion'], // 10 x $10 -> 40 x $25
    ]);
  });

  it('a plan change to a yearly price is normalised to a month (contraction)', () => {
    const f = loadFixture('stripe-customer-subscription-updated.json') as {
      data: { object: Record<string, unknown> };
    };
    const yearly = {
      data: [
        {
          id: 'si_1',
          quantity: 40,
          price: {
            id: 'price_year',
            lookup_key: 'team_yearly',
            unit_amount: 24000,
            recurring: { interval: 'year', interval_count: 1 },
          },
        },
      ],
    };
    const fixture = updatedWith({ items: yearly }, { items: (f.data.object as { items: unknown }).items });
    const e = okEvent(normaliseBillingStep(fixture, metaFor(fixture), TEST_CONFIG));
    // 40 x $240 / 12 = $800 a month, was 40 x $25 = $1000
    assert.deepEqual(
      [e.plan, e.mrr_cents, e.mrr_delta_cents, e.mrr_change_kind],
      ['team_yearly', 80000, -20000, 'contraction'],
    );
  });

  it('a subscription canceled during its trial churns no MRR', () => {
    const fixture = loadFixture('stripe-customer-subscription-deleted.json') as {
      data: { object: Record<string, unknown> };
    };
    const inTrial = { ...fixture, data: { object: { ...fixture.data.object, trial_end: 1715500000 } } };
    const e = okEvent(normaliseBillingStep(inTrial, metaFor(fixture), TEST_CONFIG));
    assert.deepEqual([e.mrr_cents, e.mrr_delta_cents, e.mrr_change_kind], [0, 0, null]);
  });

  it('a trial canceled at its end (unpaid) churns no MRR; one canceled after it does', () => {
    const fixture = loadFixture('stripe-customer-subscription-deleted.json') as {
      data: { object: Record<string, unknown> };
    };
    const at = (trialEnd: number) => ({
      ...fixture,
      data: { object: { ...fixture.data.object, canceled_at: 1715500000, trial_end: trialEnd } },
    });
    const expired = okEvent(normaliseBillingStep(at(1715500000), metaFor(fixture), TEST_CONFIG));
    assert.equal(expired.mrr_change_kind, null);
    const churned = okEvent(normaliseBillingStep(at(1715400000), metaFor(fixture), TEST_CONFIG));
    assert.equal(churned.mrr_change_kind, 'churn');
  });

  const base = loadFixture('stripe-invoice-paid.json') as { data: { object: Record<string, unknown> } };
  const tight: IngestConfig = { ...TEST_CONFIG, limits: { ...TEST_CONFIG.limits, maxPropertyCount: 2 } };
  const rejects: Array<[string, unknown, string, IngestConfig?]> = [
    ['unsupported Stripe type', { ...base, type: 'charge.succeeded' }, 'unsupported_event_type'],
    ['missing evt id', { ...base, id: undefined }, 'missing_required_field'],
    ['missing data.object', { ...base, data: {} }, 'missing_required_field'],
    ['object of the wrong kind', { ...base, type: 'customer.subscription.updated' }, 'invalid_field'],
    [
      'amount is not an integer',
      { ...base, data: { object: { ...base.data.object, amount_paid: 10.5 } } },
      'invalid_field',
    ],
    [
      'missing currency',
      { ...base, data: { object: { ...base.data.object, currency: null } } },
      'missing_required_field',
    ],
    [
      'junk customer and no other id',
      { ...base, data: { object: { ...base.data.object, customer: 'null', customer_email: 'n/a' } } },
      'no_identifier',
    ],
    ['created far in the past', { ...base, created: 1000 }, 'timestamp_out_of_window'],
    [
      'previous_attributes_json not an object',
      { ...base, data: { ...base.data, previous_attributes_json: '"x"' } },
      'invalid_field',
    ],
    [
      'too much metadata',
      { ...base, data: { object: { ...base.data.object, metadata: { a: '1', b: '2', c: '3' } } } },
      'too_many_properties',
      tight,
    ],
  ];
  for (const [label, payload, reason, config] of rejects) {
    it(`${label} -> dlq ${reason}`, () => {
      const r = normaliseBillingStep(payload, metaFor(base), config ?? TEST_CONFIG);
      assert.equal(r.kind, 'dlq', JSON.stringify(r));
      assert.equal((r as { reason: string }).reason, reason);
    });
  }
});
